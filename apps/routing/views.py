"""Routing pages: the triage queue, rule-from-ticket, the ticket panel's actions, the report."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from apps.accounts.models import Team
from apps.core.errors import ApplicationError
from apps.tickets.models import Ticket
from apps.tickets.permissions import can_work
from apps.tickets.selectors import ticket_get

from . import rules as rule_services
from . import selectors, services
from .forms import ClassificationForm, RuleFromTicketForm, TriageRouteForm
from .models import RoutingDecision, TicketClassification


def panel_context(request, ticket) -> dict:
    """The agent ticket page's routing panel: classification and "why this ticket went here"."""
    classification = (
        TicketClassification.objects.filter(ticket=ticket)
        .select_related("root_cause", "root_cause_hint")
        .first()
    )
    initial = {
        "root_cause": classification.root_cause_id if classification else None,
        "is_regression": classification.is_regression if classification else False,
        "feature": classification.feature if classification else "",
    }
    return {
        "routing_decisions": selectors.decision_list_for(ticket=ticket),
        "classification": classification,
        "classification_form": ClassificationForm(initial=initial),
        "can_work": can_work(request.user, ticket),
        # Routing a resolved or closed ticket would move finished work (the service refuses).
        "can_reroute": can_work(request.user, ticket) and ticket.is_active,
    }


def _ticket_url(ticket) -> str:
    return reverse("workspace:ticket", args=[ticket.reference])


@login_required
def triage(request):
    if not request.user.is_agent:
        raise Http404
    allowed = services.can_triage(request.user)
    tickets = list(selectors.triage_list()[:100]) if allowed else []
    return render(
        request,
        "routing/triage.html",
        {
            "nav": "routing:triage",
            "tickets": tickets,
            "allowed": allowed,
            "form": TriageRouteForm(),
            "teams": Team.objects.filter(is_triage=False),
            "triage_team": services.triage_team(),
        },
    )


@login_required
@require_POST
def triage_route(request, reference):
    ticket = ticket_get(user=request.user, key=reference)
    form = TriageRouteForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"{ticket.reference}: choose the team to send it to.")
        return redirect("routing:triage")
    try:
        services.triage_route(
            ticket=ticket,
            actor=request.user,
            team=form.cleaned_data["team"],
            tier=form.cleaned_data["tier"],
        )
    except ApplicationError as exc:
        messages.error(request, f"{ticket.reference}: {exc.message}")
        return redirect("routing:triage")
    rule_url = reverse("routing:rule-from-ticket", args=[ticket.reference])
    messages.success(
        request,
        format_html(
            '{} sent to {}. <a href="{}">Make a rule from this</a> so the next one goes there by itself.',
            ticket.reference,
            form.cleaned_data["team"],
            rule_url,
        ),
    )
    return redirect("routing:triage")


@login_required
def rule_from_ticket(request, reference):
    """Turn a triage decision into a rule, prefilled from the ticket's fields."""
    ticket = _triaged_ticket(request.user, reference)
    prefill = services.rule_prefill_from_ticket(ticket=ticket)
    form = RuleFromTicketForm(
        request.POST or None,
        initial={
            "name": prefill["name"],
            "use_category": bool(ticket.category_id),
            "use_product": bool(ticket.product_id),
            "use_location": False,
            "use_domain": not (ticket.category_id or ticket.product_id),
            "team": ticket.team_id if ticket.team and not ticket.team.is_triage else None,
            "tier": ticket.tier,
            "enabled": _may_switch_on(request.user),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            rule = rule_services.rule_create(
                actor=request.user, data=_rule_from_form(ticket, form.cleaned_data, request.user)
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            state = "is on" if rule.enabled else "was saved switched off: an admin switches it on"
            messages.success(request, f"Rule “{rule.name}” {state}.")
            return redirect("routing:triage")
    return render(
        request,
        "routing/rule_from_ticket.html",
        {"nav": "routing:triage", "ticket": ticket, "form": form},
    )


def _may_switch_on(user) -> bool:
    """Switching a rule on is an admin's change to a rule, as in the Django admin."""
    return user.is_staff and user.has_perm("routing.change_rule")


def _triaged_ticket(user, reference):
    """A ticket the user may see, or one they routed out of triage (now another team's)."""
    if not services.can_triage(user) and not user.is_staff:
        raise Http404
    ticket = Ticket.objects.by_reference(reference).first()
    routed_it = (
        ticket is not None
        and RoutingDecision.objects.filter(ticket=ticket, trigger="triage", actor=user).exists()
    )
    return ticket if routed_it else ticket_get(user=user, key=reference)


def _rule_from_form(ticket, data: dict, user) -> dict:
    conditions = [
        {"field": field, "op": "equals", "value": getattr(ticket, field).name}
        for field in ("category", "product", "location")
        if data[f"use_{field}"] and getattr(ticket, f"{field}_id")
    ]
    if data["use_domain"]:
        conditions.append(
            {"field": "requester_domain", "op": "equals", "value": ticket.requester.email_domain}
        )
    if not conditions:
        raise ApplicationError("Keep at least one condition, or the rule would take every ticket.")
    actions = [{"action": "set_team", "params": {"team": data["team"].pk}}]
    if data["tier"] != 1:
        actions.append({"action": "set_tier", "params": {"tier": data["tier"]}})
    return {
        "name": data["name"],
        "conditions": {"all": conditions},
        "actions": actions,
        "stop_processing": True,
        "enabled": bool(data["enabled"] and _may_switch_on(user)),
        "description": f"Made from {ticket.reference} by {user}.",
    }


@login_required
@require_POST
def reroute(request, reference):
    ticket = ticket_get(user=request.user, key=reference)
    try:
        decision = services.ticket_reroute(ticket=ticket, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        rules = ", ".join(m["rule"] for m in decision.matched) or "no rule matched"
        messages.success(request, f"Re-routed to {decision.team or 'no team'} ({rules}).")
    if can_work(request.user, ticket):
        return redirect(_ticket_url(ticket))
    return redirect("workspace:queue")


@login_required
@require_POST
def classify(request, reference):
    ticket = ticket_get(user=request.user, key=reference)
    form = ClassificationForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Check the root cause and feature: " + form.errors.as_text())
        return redirect(_ticket_url(ticket))
    try:
        services.classification_set(ticket=ticket, actor=request.user, **form.cleaned_data)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Classification saved.")
    return redirect(_ticket_url(ticket))


@login_required
def report(request):
    """Per team and week: the share routed automatically, and the Pareto of root causes."""
    if not request.user.is_lead:
        raise Http404
    weeks = _int(request.GET.get("weeks"), 8, 1, 104)
    team_id = _int(request.GET.get("team"), None, 1, 10**9)
    # A lead reads the teams they lead; admins every team.
    team_ids = None if request.user.is_superuser else request.user.led_team_ids
    if team_id and team_ids is not None and team_id not in team_ids:
        raise Http404
    share = selectors.routing_share(weeks=weeks, team_id=team_id, team_ids=team_ids)
    pareto = selectors.root_cause_pareto(weeks=weeks, team_id=team_id, team_ids=team_ids)
    teams = Team.objects.all() if team_ids is None else Team.objects.filter(pk__in=team_ids)
    if request.GET.get("format") == "csv":
        return _report_csv(share, pareto)
    return render(
        request,
        "routing/report.html",
        {
            "nav": "routing:report",
            "share": share,
            "pareto": pareto,
            "weeks": weeks,
            "team_id": team_id,
            "teams": teams,
        },
    )


def _int(value, default, low, high):
    try:
        return max(low, min(int(value), high))
    except (TypeError, ValueError):
        return default


def _report_csv(share, pareto) -> HttpResponse:
    response = HttpResponse(content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="routing-report.csv"'
    out = csv.writer(response)
    out.writerow(
        [
            "section",
            "week",
            "team",
            "tickets",
            "auto_routed",
            "triaged",
            "waiting",
            "auto_share_pct",
        ]
    )
    for row in share:
        out.writerow(
            ["routing", row["week"].date().isoformat(), row["team"], row["total"], row["auto"],
             row["triaged"], row["waiting"], row["auto_share"]]
        )  # fmt: skip
    out.writerow([])
    out.writerow(["section", "root_cause", "tickets", "regressions", "share_pct", "cumulative_pct"])
    for row in pareto:
        out.writerow(
            ["pareto", row["root_cause"], row["tickets"], row["regressions"], row["share"],
             row["cumulative"]]
        )  # fmt: skip
    return response
