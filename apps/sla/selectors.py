"""SLA reads: a ticket's clocks, the tickets at risk for a lead, compliance figures, and the
public holidays a calendar's preset brings in."""

from datetime import datetime, timedelta

import holidays as holidays_lib
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce, TruncWeek
from django.utils import timezone

from apps.accounts.models import User
from apps.tickets.models import ACTIVE_STATUSES, Ticket

from .models import Calendar, Clock, ClockState, Metric, StepRun

# Decided targets: stopped in time, or missed (stopped late, or still running past due —
# late whether or not the sweep has marked it yet). Lateness is decided when a clock stops
# (see ``services._meet``), so reports read the state and never recompute it.
LATE = Q(state=ClockState.BREACHED)
DECIDED = Q(state=ClockState.MET) | LATE
METRICS = list(Metric.values)
GROUPINGS = {
    "metric": "metric",
    "team": "ticket__team__name",
    "priority": "ticket__priority",
    "week": "week",
}


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
    *,
    user: User | None,
    by: str,
    weeks: int = 8,
    metric: str | None = None,
    now: datetime | None = None,
) -> list[dict]:
    """Decided targets of the last ``weeks`` weeks, per metric and per team, priority or week
    (of the due time): how many, how many met on time, how many missed, and the share on time.
    A clock running past its due time counts as missed even before the sweep marks it."""
    if by not in GROUPINGS:
        raise ValueError(by)
    now = now or timezone.now()
    overdue = Q(state=ClockState.RUNNING, due_at__lte=now)
    qs = Clock.objects.filter(DECIDED | overdue, started_at__gte=now - timedelta(weeks=weeks))
    if user is not None:
        qs = qs.filter(_lead_scope(user))
    if metric is not None:
        qs = qs.filter(metric=metric)
    keys = (
        {"group": F(GROUPINGS[by])}
        if by == "metric"
        else {"group": F(GROUPINGS[by]), "m": F("metric")}
    )
    rows = (
        qs.annotate(week=TruncWeek(Coalesce("due_at", "met_at")))
        .values(**keys)
        .annotate(
            total=Count("id"),
            on_time=Count("id", filter=Q(state=ClockState.MET)),
            breached=Count("id", filter=LATE | overdue),
        )
        .order_by(*keys)
    )
    return [
        {
            "group": row["group"],
            "metric": row.get("m", row["group"]),
            "total": row["total"],
            "on_time": row["on_time"],
            "breached": row["breached"],
            "percent": round(100 * row["on_time"] / row["total"], 1) if row["total"] else None,
        }
        for row in rows
    ]


def compliance_table(*, user: User | None, by: str, weeks: int = 8, now=None) -> list[dict]:
    """``compliance`` as a page shows it: one line per group, one cell per metric (None where
    the group has no decided target of that metric)."""
    lines: dict = {}
    for row in compliance(user=user, by=by, weeks=weeks, now=now):
        cells = lines.setdefault(row["group"], dict.fromkeys(METRICS))
        cells[row["metric"]] = row
    return [
        {"group": group, "cells": [cells[m] for m in METRICS]} for group, cells in lines.items()
    ]


def calendar_preset_holidays(*, calendar: Calendar, years: list[int]) -> list[dict]:
    """The public holidays a calendar's country/region preset brings in, per year, with the
    manually added closed days of those years beside them."""
    manual = {h.date: h.name for h in calendar.holidays.filter(date__year__in=years)}
    try:
        preset = (
            holidays_lib.country_holidays(
                calendar.country, subdiv=calendar.region or None, years=years
            )
            if calendar.country
            else {}
        )
    except NotImplementedError:  # a preset saved before the library dropped it
        preset = {}
    return [
        {
            "year": year,
            "preset": sorted((d, name) for d, name in preset.items() if d.year == year),
            "manual": sorted((d, name) for d, name in manual.items() if d.year == year),
        }
        for year in years
    ]
