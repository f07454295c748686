"""Reads for routing pages: the triage queue, decision logs, and the auto-routing/Pareto report."""

from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from apps.accounts.models import Team
from apps.tickets.models import Ticket

from .models import RoutingDecision, Rule, TicketClassification, Trigger


def triage_list() -> QuerySet[Ticket]:
    """Active tickets waiting in the triage team, oldest first (they have waited longest)."""
    # The triage teams' ids, not a join on the team: each one's active tickets are then read
    # oldest first from the (team, created_at) index of active tickets, and the read stops.
    triage = list(Team.objects.filter(is_triage=True).values_list("pk", flat=True))
    return (
        Ticket.objects.active()
        .filter(team_id__in=triage)
        .select_related("requester__organisation", "category", "location", "product")
        .order_by("created_at", "id")
    )


def decision_list_for(*, ticket: Ticket, limit: int = 10) -> list[RoutingDecision]:
    return list(
        ticket.routing_decisions.select_related("actor", "team").order_by("-created_at", "-id")[
            :limit
        ]
    )


def rule_list() -> QuerySet[Rule]:
    return Rule.objects.select_related("updated_by").order_by("position", "id")


def _period(weeks: int):
    start = timezone.now() - timedelta(weeks=weeks)
    return start - timedelta(days=start.weekday())


def routing_share(
    *, weeks: int = 8, team_id: int | None = None, team_ids: set[int] | None = None
) -> list[dict]:
    """Per week and owning team: tickets created, routed by a rule, routed by a triager.
    ``team_ids``: only those teams (a lead's); None for every team."""
    auto = RoutingDecision.objects.filter(
        ticket=OuterRef("pk"), trigger=Trigger.CREATED, routed=True
    )
    qs = Ticket.objects.filter(created_at__gte=_period(weeks))
    if team_id:
        qs = qs.filter(team_id=team_id)
    if team_ids is not None:
        qs = qs.filter(team_id__in=team_ids)
    rows = (
        qs.annotate(week=TruncWeek("created_at"), is_auto=Exists(auto))
        .values("week", "team__name")
        .annotate(
            total=Count("pk"),
            auto=Count("pk", filter=Q(is_auto=True)),
            # Placed by a person: not routed by a rule, and no longer waiting in triage.
            triaged=Count("pk", filter=Q(is_auto=False) & ~Q(team__is_triage=True)),
        )
        .order_by("-week", "team__name")
    )
    return [
        {
            **row,
            "team": row["team__name"] or "—",
            "waiting": row["total"] - row["auto"] - row["triaged"],
            "auto_share": round(100 * row["auto"] / row["total"], 1) if row["total"] else 0.0,
        }
        for row in rows
    ]


def root_cause_pareto(
    *, weeks: int = 8, team_id: int | None = None, team_ids: set[int] | None = None
) -> list[dict]:
    """Root causes by ticket count with their cumulative share: the few causes that make most
    tickets come first. ``team_ids``: only those teams' tickets; None for every team."""
    qs = TicketClassification.objects.filter(
        root_cause__isnull=False, ticket__created_at__gte=_period(weeks)
    )
    if team_id:
        qs = qs.filter(ticket__team_id=team_id)
    if team_ids is not None:
        qs = qs.filter(ticket__team_id__in=team_ids)
    counts = list(
        qs.values("root_cause__name")
        .annotate(tickets=Count("pk"), regressions=Count("pk", filter=Q(is_regression=True)))
        .order_by("-tickets", "root_cause__name")
    )
    total = sum(c["tickets"] for c in counts)
    running, rows = 0, []
    for c in counts:
        running += c["tickets"]
        rows.append(
            {
                "root_cause": c["root_cause__name"],
                "tickets": c["tickets"],
                "regressions": c["regressions"],
                "share": round(100 * c["tickets"] / total, 1),
                "cumulative": round(100 * running / total, 1),
                "vital_few": running - c["tickets"] < 0.8 * total,
            }
        )
    return rows
