"""The leads' "At risk" page: tickets about to breach or breached, and compliance."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from . import selectors

AT_RISK_LIMIT = 100


@login_required
def at_risk(request):
    if not request.user.is_lead:
        raise Http404("No such page.")
    weeks = 8
    context = {
        "nav": "sla:at_risk",
        "clocks": list(selectors.clock_list_at_risk(user=request.user)[:AT_RISK_LIMIT]),
        "weeks": weeks,
        "by_team": selectors.compliance(user=request.user, by="team", weeks=weeks),
        "by_priority": selectors.compliance(user=request.user, by="priority", weeks=weeks),
        "by_week": selectors.compliance(user=request.user, by="week", weeks=weeks),
    }
    return render(request, "sla/at_risk.html", context)
