"""Keeping TicketFact rows current: one ``INSERT … SELECT … ON CONFLICT DO UPDATE`` per change.

The database is the only truth: every figure of a fact is computed by the statement that
stores it, from the ticket's own row and the rows the other apps keep about it (time per tier,
classification, article links, SLA clocks, reopen events, the requester's rating). Nothing is
loaded into Python, so a refresh costs one query whether it is for one ticket (the reaction)
or for two thousand (a rebuild batch). PostgreSQL and SQLite ≥ 3.35 (upsert from a SELECT needs its WHERE clause,
which the statement always has).
"""

import functools
from collections.abc import Iterable
from datetime import UTC, datetime

from django.db import NotSupportedError, connections, router
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateTimeField,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Greatest
from django.utils import timezone

from apps.knowledge.models import LinkKind, TicketArticle
from apps.reviews.satisfaction.models import Rating, Score
from apps.sla.models import Clock, ClockState, Metric
from apps.sla.selectors import LATE
from apps.tickets.models import EventKind, Status, Ticket, TicketEvent
from apps.tickets.tiers.models import Escalation
from apps.tickets.timekeeping.models import TimeEntry

from .models import TicketFact

DONE = (Status.RESOLVED, Status.CLOSED)
PERFORMANCE = "performance"
# Out of date: never refreshed, or changed (by any means that touches updated_at) since.
STALE = Q(fact__isnull=True) | Q(updated_at__gt=F("fact__refreshed_at"))


class Seconds(Func):
    """Seconds from ``earlier`` to ``later`` as a float, NULL if either is NULL."""

    arity = 2
    output_field = FloatField()

    def __init__(self, later, earlier, **extra):
        super().__init__(later, earlier, **extra)

    def as_sql(self, compiler, connection, **extra_context):
        raise NotSupportedError(
            f"Seconds() is written for PostgreSQL and SQLite, not {connection.vendor}."
        )

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            template="CAST(EXTRACT(EPOCH FROM %(expressions)s) AS double precision)",
            arg_joiner=" - ",
            **extra_context,
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        # julianday() reads Django's stored text ('YYYY-MM-DD HH:MM:SS.ffffff', UTC) to the ms.
        return super().as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s)) * 86400.0)",
            arg_joiner=") - julianday(",
            **extra_context,
        )


def _count(queryset: QuerySet) -> Coalesce:
    """How many rows of ``queryset`` (already filtered on the outer ticket): 0 for none."""
    counted = queryset.order_by().values("ticket").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted), Value(0), output_field=IntegerField())


def _sla_outcome(metric: str, now: datetime, *, latest: bool) -> Coalesce:
    """The outcome of the ticket's clock of ``metric`` (its first cycle, or its latest with
    ``latest``): "met", "breached" or "" (none, or undecided) — decided as the SLA compliance report decides: met in time, or
    breached (stopped late, marked by the sweep, or running past due and not yet marked)."""
    clocks = Clock.objects.filter(ticket=OuterRef("pk"), metric=metric)
    clocks = clocks.order_by("-cycle") if latest else clocks.filter(cycle=1).order_by()
    overdue = Q(state=ClockState.RUNNING, due_at__lte=now)
    outcome = Case(
        When(state=ClockState.MET, then=Value("met")),
        When(LATE | overdue, then=Value("breached")),
        default=Value(""),
        output_field=CharField(),
    )
    return Coalesce(
        Subquery(clocks.annotate(outcome=outcome).values("outcome")[:1]),
        Value(""),
        output_field=CharField(),
    )


def _expressions(now: datetime) -> dict:
    """TicketFact field name → how it is computed for the ticket of the outer query."""
    done_at = Case(
        When(status__in=DONE, then=Coalesce("resolved_at", "closed_at")),
        default=None,
        output_field=DateTimeField(),
    )
    shared_article = Exists(TicketArticle.objects.filter(ticket=OuterRef("pk"), kind=LinkKind.SENT))
    tagged = Exists(
        Ticket.tags.through.objects.filter(ticket_id=OuterRef("pk"), tag__name=PERFORMANCE)
    )
    highest_escalation = (
        Escalation.objects.filter(ticket=OuterRef("pk"))
        .order_by()
        .values("ticket")
        .annotate(top=Max("to_tier"))
        .values("top")
    )
    tier_time = {
        name: Coalesce(F(f"tier_time__{name}"), Value(default), output_field=field)
        for name, default, field in (
            ("tier1_seconds", 0.0, FloatField()),
            ("tier2_seconds", 0.0, FloatField()),
            ("tier3_seconds", 0.0, FloatField()),
            ("escalations", 0, IntegerField()),
            ("hand_backs", 0, IntegerField()),
        )
    }
    # The requester's rating: NULL when there is none (not rated is not unsatisfied).
    satisfied = (
        Rating.objects.filter(ticket=OuterRef("pk"))
        .order_by()
        .annotate(
            good=Case(
                When(score=Score.GOOD, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
    )
    priority_changed = Exists(
        TicketEvent.objects.filter(
            ticket=OuterRef("pk"),
            kind=EventKind.CHANGED,
            actor__isnull=False,
            changes__has_key="priority",
        )
    )
    logged = TimeEntry.objects.filter(ticket=OuterRef("pk")).order_by().values("ticket")
    return {
        "ticket": F("pk"),
        "team": F("team_id"),
        "tier": F("tier"),
        "category_id": F("category_id"),
        "product_id": F("product_id"),
        "location_id": F("location_id"),
        "priority": F("priority"),
        "priority_changed": priority_changed,
        "channel": F("channel"),
        "status": F("status"),
        "root_cause_id": F("classification__root_cause_id"),
        "feature": Coalesce(F("classification__feature"), Value(""), output_field=CharField()),
        "assignee_id": F("assignee_id"),
        "created_at": F("created_at"),
        "resolved_at": done_at,
        "first_response_seconds": Seconds(F("first_response_at"), F("created_at")),
        "resolution_seconds": Seconds(done_at, F("created_at")),
        **tier_time,
        # The highest tier it was in: now, escalated to, or timed in (a rule may set a tier).
        "max_tier": Greatest(
            F("tier"),
            Coalesce(Subquery(highest_escalation), Value(1), output_field=IntegerField()),
            Case(
                When(tier_time__tier3_seconds__gt=0, then=Value(3)),
                When(tier_time__tier2_seconds__gt=0, then=Value(2)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            output_field=IntegerField(),
        ),
        "reopens": _count(
            TicketEvent.objects.filter(ticket=OuterRef("pk"), kind=EventKind.REOPENED)
        ),
        "resolution": Case(
            When(~Q(resolution=""), then=F("resolution")),
            When(Q(status__in=DONE) & shared_article, then=Value("documentation")),
            default=Value(""),
            output_field=CharField(),
        ),
        "shared_article": shared_article,
        "is_regression": Coalesce(
            F("classification__is_regression"), Value(False), output_field=BooleanField()
        ),
        "is_performance": Case(
            When(
                tagged
                | Q(classification__root_cause__name__icontains=PERFORMANCE)
                | Q(category__name__icontains=PERFORMANCE),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        ),
        "sla_first_response": _sla_outcome(Metric.FIRST_RESPONSE, now, latest=False),
        "sla_resolution": _sla_outcome(Metric.RESOLUTION, now, latest=True),
        "satisfied": Subquery(satisfied.values("good")[:1], output_field=BooleanField()),
        "hours_spent": Coalesce(
            Subquery(logged.annotate(m=Sum("minutes")).values("m")) / Value(60.0),
            Value(0.0),
            output_field=FloatField(),
        ),
        "cost": Coalesce(
            Cast(Subquery(logged.annotate(c=Sum("cost")).values("c")), FloatField()),
            Value(0.0),
            output_field=FloatField(),
        ),
        "problem_id": F("problem_link__problem_id"),
        "refreshed_at": Value(now, output_field=DateTimeField()),
    }


def _rows(tickets: QuerySet[Ticket], now: datetime) -> QuerySet:
    """The facts of ``tickets`` as a SELECT whose columns are TicketFact's, in table order."""
    expressions = _expressions(now)
    fields = TicketFact._meta.concrete_fields
    missing = {f.name for f in fields} ^ set(expressions)
    if missing:  # a field added to TicketFact must be computed here too
        raise LookupError(f"TicketFact fields without a computation: {sorted(missing)}")
    # Aliases of their own: an annotation may not take the name of a Ticket field.
    columns = {f"fact_{f.name}": expressions[f.name] for f in fields}
    # By id: concurrent batches lock fact rows in one order.
    return tickets.order_by("pk").annotate(**columns).values(*columns)


def _upsert_statement(tickets: QuerySet[Ticket], now: datetime, alias: str) -> tuple[str, list]:
    """The statement storing the facts of ``tickets`` as of ``now``, and its parameters."""
    meta = TicketFact._meta
    quote = connections[alias].ops.quote_name
    select, params = _rows(tickets.using(alias), now).query.get_compiler(alias).as_sql()
    columns = [quote(f.column) for f in meta.concrete_fields]
    key = quote(meta.pk.column)
    updates = ", ".join(f"{column} = EXCLUDED.{column}" for column in columns if column != key)
    sql = (
        # Reviewed (B608): SQL text built from our own identifiers and the ORM's compiled
        # SELECT; every value is a query parameter.
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(columns)}) {select} "  # nosec B608
        f"ON CONFLICT ({key}) DO UPDATE SET {updates}"
    )
    return sql, list(params)


def _execute(alias: str, sql: str, params: list) -> int:
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _upsert(tickets: QuerySet[Ticket]) -> int:
    """Store the facts of ``tickets`` in one statement; how many rows it wrote."""
    alias = router.db_for_write(TicketFact)
    return _execute(alias, *_upsert_statement(tickets, timezone.now(), alias))


# Compiling the refresh statement costs more than running it (about 10 ms of 13 for one
# ticket), and every change of a ticket refreshes its fact: it is compiled once per database
# and number of tickets, with stand-ins for the ids and the moment that are then replaced in
# its parameters. Both stand-ins are values no real parameter takes.
STAND_IN_MOMENT = datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=UTC)
STAND_IN_ID = -(2**62)


@functools.lru_cache(maxsize=8)
def _refresh_statement(alias: str, count: int) -> tuple[str, list, list[int], list[int]]:
    """The refresh statement for ``count`` tickets: SQL, parameters, and where in them the
    ids and the moment go."""
    stand_in_ids = [STAND_IN_ID - n for n in range(count)]
    sql, params = _upsert_statement(
        Ticket.objects.filter(pk__in=stand_in_ids), STAND_IN_MOMENT, alias
    )
    moment = connections[alias].ops.adapt_datetimefield_value(STAND_IN_MOMENT)
    id_slots = [params.index(pk) for pk in stand_in_ids]
    moment_slots = [n for n, value in enumerate(params) if value == moment]
    if not moment_slots:
        raise LookupError("The facts statement no longer takes the moment of the refresh.")
    return sql, params, id_slots, moment_slots


def facts_refresh(ticket_ids: Iterable[int]) -> int:
    """Recompute the facts of these tickets (one query); how many rows were written."""
    ids = sorted({int(pk) for pk in ticket_ids})
    if not ids:
        return 0
    alias = router.db_for_write(TicketFact)
    sql, template, id_slots, moment_slots = _refresh_statement(alias, len(ids))
    params = list(template)
    for slot, pk in zip(id_slots, ids, strict=True):
        params[slot] = pk
    moment = connections[alias].ops.adapt_datetimefield_value(timezone.now())
    for slot in moment_slots:
        params[slot] = moment
    return _execute(alias, sql, params)


def facts_refresh_for_change(ticket: Ticket, events) -> None:
    """The reaction: the ticket's fact as the change (and every reaction before) left it."""
    facts_refresh([ticket.pk])


def facts_rebuild(*, batch: int = 2000, stale_only: bool = False, stdout=None) -> int:
    """Refresh every ticket's fact (``stale_only``: those never refreshed, or changed since),
    a batch of ids per statement; outside a transaction each batch commits on its own, so an
    interrupted rebuild keeps what it did. Returns how many facts were written."""
    if batch < 1:
        raise ValueError("batch must be at least 1")
    tickets = Ticket.objects.filter(STALE) if stale_only else Ticket.objects.all()
    first, last = Ticket.objects.order_by().aggregate(first=Min("pk"), last=Max("pk")).values()
    written = 0
    if first is None:
        return written
    for low in range(first, last + 1, batch):
        high = min(low + batch - 1, last)
        written += _upsert(tickets.filter(pk__range=(low, high)))
        if stdout is not None:
            stdout.write(f"  ids {low} to {high} of {last}: {written} facts written so far")
    return written
