"""Reads of insights: KPIs, their series, breakdowns, Pareto, the escalation flow, weekly volume
against the goal, and the tickets behind any figure.

The figures are defined in ``kpis`` (with the SQL they become), cut by a dimension in
``pareto``, and followed across tiers in ``flow``; this module is where the rest of the project
imports them from. Every figure is an aggregate over TicketFact rows (or hand-back and
deflection rows), never a walk over tickets.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace

from django.db.models import QuerySet
from django.db.models.functions import TruncMonth, TruncQuarter, TruncWeek

from apps.core.errors import ApplicationError
from apps.tickets.models import Ticket

from .flow import escalation_flow
from .kpis import (
    DATE_FIELDS,
    DEFLECTIONS,
    MEASURES,
    Kpi,
    Measure,
    Percentile,
    basis_rows,
    figure,
    grouped,
    kpis,
    measure,
    percentile,
)
from .models import VolumeGoal
from .pareto import (
    DIMENSIONS,
    NONE,
    PARETO_BY,
    ParetoRow,
    Row,
    breakdown,
    dimension,
    key_filter,
    pareto,
)
from .scope import Scope

__all__ = [
    "DIMENSIONS",
    "MEASURES",
    "NONE",
    "PARETO_BY",
    "SERIES",
    "Kpi",
    "Measure",
    "ParetoRow",
    "Percentile",
    "Row",
    "breakdown",
    "drilldown",
    "escalation_flow",
    "kpis",
    "pareto",
    "percentile",
    "series",
    "series_many",
    "volume_goal",
    "weekly_volume",
]

# Every figure has a series (the charts draw those people watch week by week).
SERIES = tuple(MEASURES)
TRUNCS = {"week": TruncWeek, "month": TruncMonth, "quarter": TruncQuarter}


def bucket_starts(scope: Scope, granularity: str) -> list[datetime.date]:
    """The start of every bucket overlapping the period (weeks start on Monday)."""
    if granularity not in TRUNCS:
        raise ApplicationError("Choose weeks, months or quarters.", field="granularity")
    if granularity == "week":
        day = scope.start - datetime.timedelta(days=scope.start.weekday())
        return [day + datetime.timedelta(weeks=n) for n in range((scope.end - day).days // 7 + 1)]
    step = 1 if granularity == "month" else 3
    day = scope.start.replace(day=1, month=(scope.start.month - 1) // step * step + 1)
    starts = []
    while day <= scope.end:
        starts.append(day)
        month = day.month - 1 + step
        day = datetime.date(day.year + month // 12, month % 12 + 1, 1)
    return starts


def bucket_end(start: datetime.date, granularity: str) -> datetime.date:
    """The first day after the bucket starting on ``start``."""
    if granularity == "week":
        return start + datetime.timedelta(weeks=1)
    month = start.month - 1 + (1 if granularity == "month" else 3)
    return datetime.date(start.year + month // 12, month % 12 + 1, 1)


def series(
    scope: Scope, name: str, granularity: str = "week"
) -> list[tuple[datetime.date, float | None]]:
    """The KPI per week (from Monday), month or quarter over the period, every bucket present:
    counts are 0 in an empty bucket, rates, medians and means None. One query (off PostgreSQL,
    a median adds the read of its column)."""
    return series_many(scope, [name], granularity)[name]


def series_many(
    scope: Scope, names: Iterable[str], granularity: str = "week"
) -> dict[str, list[tuple[datetime.date, float | None]]]:
    """{name: its ``series``} of several KPIs, one query per basis they are worked out over
    (tickets created, resolved, hand-backs, deflections) rather than one per KPI."""
    by_basis = defaultdict(list)
    for m in [measure(name) for name in names]:
        by_basis[m.basis].append(m)
    starts = bucket_starts(scope, granularity)
    start, end = scope.bounds()
    result = {}
    for basis, measures in by_basis.items():
        bucket = TRUNCS[granularity](DATE_FIELDS[basis])
        figures = grouped(basis_rows(scope, basis, start, end), measures, bucket)
        by_day = {g.date(): values for g, values in figures.items()}
        for m in measures:
            result[m.name] = [(day, figure(m, by_day.get(day, {}))) for day in starts]
    return {name: result[name] for name in names}


def weekly_volume(
    scope: Scope, *, high_only: bool = False
) -> tuple[list[tuple[datetime.date, int]], int | None]:
    """Tickets created each week of the period (High and Urgent only if ``high_only``), and the
    team's weekly goal (``volume_goal``)."""
    weeks = [
        (day, int(count))
        for day, count in series(scope, "high_volume" if high_only else "volume", "week")
    ]
    return weeks, volume_goal(scope, high_only=high_only)


def volume_goal(scope: Scope, *, high_only: bool = False) -> int | None:
    """The team's weekly goal (of High and Urgent tickets if ``high_only``) — None when the
    scope spans several teams or the team has none."""
    if scope.team_ids is None or len(scope.team_ids) != 1:
        return None
    return (
        VolumeGoal.objects.filter(team_id=scope.team_ids[0], high_priority_only=high_only)
        .values_list("tickets_per_week", flat=True)
        .first()
    )


def _bucket_of(value, granularity: str) -> datetime.date:
    """The start of the bucket holding ``value`` (a date, or YYYY-MM-DD)."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    try:
        day = value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ApplicationError(
            f"“{value}” is not a date: write it as YYYY-MM-DD.", field=granularity
        ) from None
    return bucket_starts(Scope(start=day, end=day), granularity)[0]


CELL = ("kpi", "by", "key", "week", "month", "quarter")


def drilldown(scope: Scope, **cell) -> QuerySet[Ticket]:
    """The tickets behind a figure, newest first, only of the scope's teams.

    ``cell`` may hold ``kpi`` (the KPI's tickets: created or resolved in the period and its
    condition; of a rate, those it counts, e.g. the escalated ones; of a median or mean, those
    measured; of ``hand_backs``, the tickets handed back in the period — fewer than the figure
    when one was handed back twice); ``by`` and ``key`` (a breakdown or Pareto row, ``NONE``
    for the unclassified one); ``week``, ``month`` or ``quarter`` (a bucket's start date).
    Without ``kpi``, the tickets created in the period. A ticket since moved to a team outside
    the scope is counted in the figures but not listed here."""
    unknown = sorted(set(cell) - set(CELL))
    if unknown:
        raise ApplicationError(f"Figures have no cell {unknown[0]!r}.", field=unknown[0])
    m = measure(cell["kpi"]) if cell.get("kpi") else MEASURES["volume"]
    if m.basis == DEFLECTIONS:
        raise ApplicationError("Deflections are not tickets: there are none to list.", field="kpi")
    for granularity in TRUNCS:
        if cell.get(granularity):
            day = _bucket_of(cell[granularity], granularity)
            last = bucket_end(day, granularity) - datetime.timedelta(days=1)
            scope = replace(scope, start=max(scope.start, day), end=min(scope.end, last))
    start, end = scope.bounds()
    rows = basis_rows(scope, m.basis, start, end).filter(m.drill)
    if cell.get("by") or cell.get("key") not in (None, ""):
        if not cell.get("by"):
            raise ApplicationError("Say which dimension the row is of.", field="by")
        if cell.get("key") in (None, ""):
            raise ApplicationError("Say which row of the breakdown.", field="key")
        rows = rows.filter(key_filter(dimension(cell["by"]), m.basis, cell["key"]))
    if scope.start > scope.end:  # a bucket outside the period
        rows = rows.none()
    # On the reports database too: the facts' subquery runs where the facts were read.
    tickets = Ticket.objects.using(rows.db).filter(pk__in=rows.values("ticket_id"))
    if scope.team_ids is not None:
        tickets = tickets.filter(team_id__in=scope.team_ids)
    return tickets.select_related("team", "assignee", "category", "requester").order_by(
        "-created_at", "-id"
    )
