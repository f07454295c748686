"""SLA reads: a ticket's clocks, the tickets at risk for a lead, and compliance figures."""

from datetime import datetime, timedelta

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone

from apps.accounts.models import User
from apps.tickets.models import ACTIVE_STATUSES, Ticket

from .models import Clock, ClockState, StepRun

FINISHED = Q(state=ClockState.MET) | Q(state=ClockState.BREACHED)
GROUPINGS = {"team": "ticket__team__name", "priority": "ticket__priority", "week": "week"}


def clock_list_for_ticket(*, ticket: Ticket) -> list[Clock]:
    """Every clock of the ticket, current cycles first, with the steps each one ran."""
    return list(
        Clock.objects.filter(ticket=ticket)
        .select_related("policy")
        .prefetch_related(
            Prefetch("step_runs", queryset=StepRun.objects.select_related("step").order_by("id"))
        )
        .order_by("-cycle", "metric")
    )


def _lead_scope(user: User) -> Q:
    return Q() if user.is_superuser else Q(ticket__team__in=user.led_team_ids)


def clock_list_at_risk(*, user: User, within: timedelta = timedelta(hours=4), now=None) -> QuerySet:
    """Clocks of active tickets in the lead's teams that breached and are still unmet, or that
    fall due within ``within`` — most urgent first."""
    now = now or timezone.now()
    return (
        Clock.objects.filter(_lead_scope(user), ticket__status__in=ACTIVE_STATUSES)
        .filter(
            Q(state=ClockState.BREACHED, met_at__isnull=True)
            | Q(state=ClockState.RUNNING, due_at__lte=now + within)
        )
        .select_related("ticket__team", "ticket__assignee", "policy")
        .order_by(Coalesce("due_at", "breached_at"), "id")
    )


def compliance(
    *, user: User | None, by: str, weeks: int = 8, now: datetime | None = None
) -> list[dict]:
    """Finished clocks (met or breached) of the last ``weeks`` weeks grouped by team, priority
    or week: how many, how many on time, and the share on time."""
    if by not in GROUPINGS:
        raise ValueError(by)
    now = now or timezone.now()
    qs = Clock.objects.filter(FINISHED, started_at__gte=now - timedelta(weeks=weeks))
    if user is not None:
        qs = qs.filter(_lead_scope(user))
    rows = (
        qs.annotate(week=TruncWeek(Coalesce("breached_at", "met_at")))
        .values(group=F(GROUPINGS[by]))
        .annotate(
            total=Count("id"),
            on_time=Count("id", filter=Q(state=ClockState.MET)),
            breached=Count("id", filter=Q(state=ClockState.BREACHED)),
        )
        .order_by("group")
    )
    return [
        {**row, "percent": round(100 * row["on_time"] / row["total"], 1) if row["total"] else None}
        for row in rows
    ]
