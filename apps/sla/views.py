"""The leads' "At risk" page: tickets about to breach or breached, and compliance."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from . import selectors
from .models import Metric

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
        "metrics": Metric.choices,
        "by_metric": selectors.compliance(user=request.user, by="metric", weeks=weeks),
        **{
            f"by_{by}": selectors.compliance_table(user=request.user, by=by, weeks=weeks)
            for by in ("team", "priority", "week")
        },
    }
    return render(request, "sla/at_risk.html", context)
