"""The leads' KPIs: what each figure means, and the figures of a Scope as aggregates over facts.

Every figure is one ``Measure`` over the rows of a *basis* — tickets created in the period,
tickets resolved in it, hand-backs made in it, deflections recorded in it — so the headline, its
trend, its series and its breakdown are the same SQL aggregate grouped differently, and the
tickets behind it (``selectors.drilldown``) are the same filter.
"""

import datetime
import math
from collections import defaultdict
from dataclasses import dataclass, replace

from django.conf import settings
from django.db import NotSupportedError, connections
from django.db.models import (
    Aggregate,
    Avg,
    Case,
    Count,
    FloatField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)

from apps.core.errors import ApplicationError
from apps.knowledge.models import Deflection
from apps.tickets.models import HandBack, Priority, Resolution

from .models import TicketFact
from .scope import Scope

CREATED, RESOLVED, HAND_BACKS, DEFLECTIONS = "created", "resolved", "hand_backs", "deflections"
DATE_FIELDS = {
    CREATED: "created_at",
    RESOLVED: "resolved_at",
    HAND_BACKS: "created_at",
    DEFLECTIONS: "created_at",
}
EVERY = Q()  # no condition


class Percentile(Aggregate):
    """PostgreSQL's ``percentile_cont(q) WITHIN GROUP (ORDER BY field)`` (nulls skipped)."""

    function = "percentile_cont"
    name = "Percentile"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, q: float, **extra):
        q = float(q)
        if not 0 <= q <= 1:
            raise ValueError(f"A percentile is between 0 and 1, not {q}.")
        # A float we checked, written into the SQL: percentile_cont wants a constant here.
        super().__init__(expression, fraction=repr(q), **extra)

    def as_sql(self, compiler, connection, **extra_context):
        if connection.vendor != "postgresql":
            raise NotSupportedError("Percentile needs PostgreSQL: use percentile() elsewhere.")
        return super().as_sql(compiler, connection, **extra_context)


def percentile_of(values: list[float], q: float) -> float | None:
    """``percentile_cont`` of already sorted values (linear interpolation), None of none."""
    if not values:
        return None
    position = q * (len(values) - 1)
    low, high = math.floor(position), math.ceil(position)
    return values[low] + (values[high] - values[low]) * (position - low)


def in_sql(queryset: QuerySet) -> bool:
    """Whether percentiles are computed by the database (PostgreSQL) rather than in Python."""
    return connections[queryset.db].vendor == "postgresql"


def percentile(queryset: QuerySet, field: str, q: float) -> float | None:
    """The ``q`` percentile (0.5: median, 0.9: p90) of ``field`` over the rows, nulls excluded.

    PostgreSQL computes it; elsewhere (SQLite) the one column is read, sorted by the database."""
    if in_sql(queryset):
        return queryset.aggregate(value=Percentile(field, q))["value"]
    rows = queryset.filter(**{f"{field}__isnull": False}).order_by(field)
    return percentile_of([float(v) for v in rows.values_list(field, flat=True)], q)


@dataclass(frozen=True)
class Measure:
    """What a KPI is. ``where`` picks the tickets the figure counts or measures (of a rate: its
    numerator, among ``of``); ``field`` is the value measured (``percentile``, ``mean``) or
    summed over ``per`` (``ratio``)."""

    name: str
    label: str
    unit: str  # "seconds" | "percent" | "count" | "hours" | "money" (in COST_CURRENCY)
    better: str  # "lower" | "higher" | ""
    help: str
    basis: str  # CREATED | RESOLVED | HAND_BACKS | DEFLECTIONS
    kind: str = "count"  # "count" | "percent" | "percentile" | "mean" | "ratio" | "sum"
    where: Q = EVERY
    of: Q = EVERY
    field: str = ""
    per: str = ""
    q: float = 0.5

    @property
    def drill(self) -> Q:
        """The tickets behind the figure: those counted or measured (of a rate, the numerator)."""
        return self.of & self.where if self.kind == "percent" else self.where

    @property
    def population(self) -> Q:
        """The tickets the figure is worked out over (a breakdown's ticket count)."""
        return {"percent": self.of, "ratio": EVERY}.get(self.kind, self.where)


def _count(name, label, better, help, basis, where=EVERY) -> Measure:
    return Measure(name, label, "count", better, help, basis, "count", where)


def _rate(name, label, better, help, basis, where, of=EVERY) -> Measure:
    return Measure(name, label, "percent", better, help, basis, "percent", where, of)


def _seconds(name, label, help, basis, column, q=None) -> Measure:
    """A median or percentile (``q``) of a duration over the tickets that have one, or (no
    ``q``) its mean over the tickets that spent time there."""
    if q is None:
        where = Q(**{f"{column}__gt": 0})
        return Measure(name, label, "seconds", "lower", help, basis, "mean", where, field=column)
    where = Q(**{f"{column}__isnull": False})
    return Measure(
        name, label, "seconds", "lower", help, basis, "percentile", where, field=column, q=q
    )


INFORMATION = (Resolution.INFORMATION, Resolution.DOCUMENTATION)
SLA_DECIDED = ("met", "breached")
RESOLUTION_TIME = "Open to resolved, wall-clock, of the tickets resolved in the period"
FIRST_RESPONSE = "Time to the first reply, of the tickets created in the period that had one"

MEASURES: dict[str, Measure] = {
    m.name: m
    for m in (
        _count("volume", "Tickets created", "", "Tickets created in the period.", CREATED),
        _count(
            "high_volume",
            "High and urgent tickets",
            "",
            "Tickets created in the period with priority High or Urgent.",
            CREATED,
            Q(priority__gte=Priority.HIGH),
        ),
        _count(
            "resolved", "Tickets resolved", "higher", "Tickets resolved in the period.", RESOLVED
        ),
        _seconds(
            "resolution_median",
            "Time to resolve (median)",
            f"{RESOLUTION_TIME}: half took longer.",
            RESOLVED,
            "resolution_seconds",
            0.5,
        ),
        _seconds(
            "resolution_p90",
            "Time to resolve (90th percentile)",
            f"{RESOLUTION_TIME}: one in ten took longer.",
            RESOLVED,
            "resolution_seconds",
            0.9,
        ),
        _seconds(
            "first_response_median",
            "First response (median)",
            f"{FIRST_RESPONSE}: half waited longer.",
            CREATED,
            "first_response_seconds",
            0.5,
        ),
        _seconds(
            "first_response_p90",
            "First response (90th percentile)",
            f"{FIRST_RESPONSE}: one in ten waited longer.",
            CREATED,
            "first_response_seconds",
            0.9,
        ),
        *(
            _seconds(
                f"tier{n}_time",
                f"Time at tier {n} (mean)",
                f"Mean time at tier {n} of the tickets resolved in the period that spent time "
                "there.",
                RESOLVED,
                f"tier{n}_seconds",
            )
            for n in (1, 2, 3)
        ),
        _rate(
            "escalation_rate",
            "Escalated",
            "lower",
            "Share of the tickets resolved in the period that were escalated at least once.",
            RESOLVED,
            Q(escalations__gte=1),
        ),
        Measure(
            "bounce_rate",
            "Handed back per escalation",
            "percent",
            "lower",
            "Hand-backs ÷ escalations of the tickets resolved in the period.",
            RESOLVED,
            "ratio",
            field="hand_backs",
            per="escalations",
        ),
        _count(
            "hand_backs",
            "Hand-backs",
            "lower",
            "Cases sent back to the team in the period for missing information (those sent "
            "back to the requester are not counted).",
            HAND_BACKS,
        ),
        _count(
            "closed_by_documentation",
            "Closed with documentation",
            "higher",
            "Tickets resolved in the period by pointing to documentation.",
            RESOLVED,
            Q(resolution=Resolution.DOCUMENTATION),
        ),
        _count(
            "closed_by_information",
            "Closed by sharing information",
            "higher",
            "Tickets resolved in the period with information or documentation.",
            RESOLVED,
            Q(resolution__in=INFORMATION),
        ),
        _rate(
            "documentation_share",
            "Closed with documentation (share)",
            "higher",
            "Share of the tickets resolved in the period that were closed with documentation.",
            RESOLVED,
            Q(resolution=Resolution.DOCUMENTATION),
        ),
        _rate(
            "priority_changed",
            "Priority changed by support",
            "lower",
            "Share of the tickets created in the period whose priority a person in support "
            "changed after intake (rules do not count): where the impact and urgency questions, "
            "or the matrix, miss.",
            CREATED,
            Q(priority_changed=True),
        ),
        Measure(
            "time_logged",
            "Time logged",
            "hours",
            "lower",
            "Hours people logged on replies, notes and subtasks of the tickets created in the "
            "period (so far, for those still open).",
            CREATED,
            "sum",
            field="hours_spent",
        ),
        Measure(
            "time_per_ticket",
            "Time logged per ticket (mean)",
            "hours",
            "lower",
            "Mean hours logged on the tickets created in the period that have time logged.",
            CREATED,
            "mean",
            Q(hours_spent__gt=0),
            field="hours_spent",
        ),
        Measure(
            "cost",
            "Cost",
            "money",
            "lower",
            "The logged time of the tickets created in the period, priced at the hourly cost "
            "of the team each entry was logged for.",
            CREATED,
            "sum",
            field="cost",
        ),
        _count(
            "regressions",
            "Regressions",
            "lower",
            "Tickets created in the period that are regressions.",
            CREATED,
            Q(is_regression=True),
        ),
        _count(
            "performance",
            "Performance problems",
            "lower",
            "Tickets created in the period about performance.",
            CREATED,
            Q(is_performance=True),
        ),
        _rate(
            "reopen_rate",
            "Reopened",
            "lower",
            "Share of the tickets resolved in the period that had been reopened.",
            RESOLVED,
            Q(reopens__gte=1),
        ),
        _rate(
            "sla_first_response",
            "First response on time",
            "higher",
            "Of the tickets created in the period whose first-response target is decided, the "
            "share answered on time.",
            CREATED,
            Q(sla_first_response="met"),
            Q(sla_first_response__in=SLA_DECIDED),
        ),
        _rate(
            "sla_resolution",
            "Resolved on time",
            "higher",
            "Of the tickets resolved in the period with a decided resolution target, the share "
            "resolved on time.",
            RESOLVED,
            Q(sla_resolution="met"),
            Q(sla_resolution__in=SLA_DECIDED),
        ),
        _rate(
            "csat",
            "Satisfied requesters",
            "higher",
            "Of the tickets resolved in the period whose requester rated the support, the share "
            "rated good (tickets not rated are not counted).",
            RESOLVED,
            Q(satisfied=True),
            Q(satisfied__isnull=False),
        ),
        _count(
            "ratings",
            "Satisfaction ratings",
            "",
            "Tickets resolved in the period whose requester rated the support, good or bad.",
            RESOLVED,
            Q(satisfied__isnull=False),
        ),
        _count(
            "deflections",
            "Deflected by articles",
            "higher",
            "Tickets help articles (probably) prevented in the period; desk-wide articles "
            "count for every team.",
            DEFLECTIONS,
        ),
    )
}


def measure(name: str) -> Measure:
    try:
        return MEASURES[name]
    except (KeyError, TypeError):
        raise ApplicationError(f"There is no figure called {name!r}.", field="kpi") from None


@dataclass(frozen=True)
class Kpi:
    name: str
    label: str
    value: float | None
    previous: float | None
    unit: str  # "seconds" | "percent" | "count" | "hours" | "money" (in COST_CURRENCY)
    better: str  # "lower" | "higher" | ""
    help: str

    @property
    def change(self) -> float | None:
        """Relative change from the previous period (0.25: a quarter more); None without a base."""
        if self.value is None or not self.previous:
            return None
        return (self.value - self.previous) / abs(self.previous)

    @property
    def improved(self) -> bool | None:
        """Whether it moved the right way; None when there is no right way, no comparison, or
        no movement."""
        if not self.better or self.value is None or self.previous is None:
            return None
        if self.value == self.previous:
            return None
        return (self.value < self.previous) == (self.better == "lower")


# --- The rows of a basis, and the aggregates of a measure over them ---------------------------


def basis_rows(
    scope: Scope, basis: str, start: datetime.datetime, end: datetime.datetime
) -> QuerySet:
    """The rows a basis counts between ``start`` and ``end``, limited to the scope's filters.

    Read from the reports database (the replica when there is one, config/routers.py): named
    here because hand-backs and deflections are other apps' models."""
    when = {f"{DATE_FIELDS[basis]}__gte": start, f"{DATE_FIELDS[basis]}__lt": end}
    if basis in (CREATED, RESOLVED):
        rows = TicketFact.objects.filter(scope.fact_filter(), **when)
    elif basis == HAND_BACKS:
        rows = HandBack.objects.filter(hand_back_filter(scope), to_requester=False, **when)
    else:
        rows = Deflection.objects.filter(
            deflection_filter(scope), cancelled_at__isnull=True, **when
        )
    return rows.using(settings.REPORTS_DATABASE)


def hand_back_filter(scope: Scope) -> Q:
    """Hand-backs count against the team that should have collected the information
    (``to_team``, as in the tiers report); the other filters apply to the ticket's facts."""
    q = replace(scope, team_ids=None).fact_filter(prefix="ticket__fact__")
    if scope.team_ids is not None:
        q &= Q(to_team_id__in=scope.team_ids)
    return q


def deflection_filter(scope: Scope) -> Q:
    """Deflections belong to no ticket: a team counts those of its own articles and of
    desk-wide ones (no team); a category filter picks the articles answering that problem;
    the other ticket filters do not apply."""
    q = Q()
    if scope.team_ids is not None:
        q &= Q(article__team_id__in=scope.team_ids) | Q(article__team__isnull=True)
    if scope.category is not None:
        q &= Q(article__categories=scope.category)
    return q


def _aggregates(m: Measure, sql_percentiles: bool) -> dict:
    name = m.name
    if m.kind == "count":
        return {name: Count("pk", filter=m.where)}
    if m.kind == "percent":
        return {
            f"{name}_n": Count("pk", filter=m.of & m.where),
            f"{name}_d": Count("pk", filter=m.of),
        }
    if m.kind == "mean":
        return {name: Avg(m.field, filter=m.where)}
    if m.kind == "sum":
        return {name: Sum(m.field, filter=m.where)}
    if m.kind == "ratio":
        return {f"{name}_n": Sum(m.field, filter=m.where), f"{name}_d": Sum(m.per, filter=m.where)}
    return {name: Percentile(m.field, m.q, filter=m.where)} if sql_percentiles else {}


def value_of(m: Measure, row: dict) -> float | None:
    """The figure from its aggregates (an empty row: a group without rows)."""
    if m.kind in ("count", "sum"):
        return row.get(m.name) or 0
    if m.kind in ("percent", "ratio"):
        denominator = row.get(f"{m.name}_d")
        return 100 * (row.get(f"{m.name}_n") or 0) / denominator if denominator else None
    return row.get(m.name)


def grouped(qs: QuerySet, measures, group, *, extra: dict | None = None) -> dict:
    """{group value: {measure name: figure, …extra}} in one query (plus, off PostgreSQL, one
    query per percentile's column, read sorted and cut in Python)."""
    sql = in_sql(qs)
    aggregates = dict(extra or {})
    for m in measures:
        aggregates |= _aggregates(m, sql)
    result: dict = defaultdict(dict)
    if aggregates:
        for row in qs.annotate(g=group).values("g").annotate(**aggregates).order_by():
            for m in measures:
                result[row["g"]][m.name] = value_of(m, row)
            for key in extra or {}:
                result[row["g"]][key] = row[key]
    if not sql:
        columns = defaultdict(list)
        for m in measures:
            if m.kind == "percentile":
                columns[(m.field, m.where)].append(m)
        for (column, where), ms in columns.items():
            values = defaultdict(list)
            rows = qs.filter(where).annotate(g=group).values_list("g", column).order_by(column)
            for g, value in rows:
                values[g].append(float(value))
            for g, sorted_values in values.items():
                for m in ms:
                    result[g][m.name] = percentile_of(sorted_values, m.q)
    return result


def figure(m: Measure, figures: dict):
    """A measure's figure in a group's results, or its value for a group without rows."""
    return figures[m.name] if m.name in figures else value_of(m, {})


# --- The public reads ---------------------------------------------------------------------------


def kpis(scope: Scope) -> list[Kpi]:
    """Every KPI of the scope with its value over the previous period of the same length.

    One query per basis covers both periods (grouped by period): four on PostgreSQL."""
    start, end = scope.bounds()
    before, _ = scope.previous().bounds()
    by_basis = defaultdict(list)
    for m in MEASURES.values():
        by_basis[m.basis].append(m)
    current, previous = {}, {}
    for basis, measures in by_basis.items():
        period = Case(
            When(**{f"{DATE_FIELDS[basis]}__gte": start}, then=Value(1)), default=Value(0)
        )
        figures = grouped(basis_rows(scope, basis, before, end), measures, period)
        for m in measures:
            current[m.name] = figure(m, figures.get(1, {}))
            previous[m.name] = figure(m, figures.get(0, {}))
    return [
        Kpi(m.name, m.label, current[m.name], previous[m.name], m.unit, m.better, m.help)
        for m in MEASURES.values()
    ]
