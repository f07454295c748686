"""SLA writes: choosing a ticket's policy, keeping its clocks in step with the ticket, and the
timer work (warn, breach, escalation steps), each made to happen once by a claim."""

import logging
from contextlib import ExitStack
from datetime import UTC, datetime

from celery import current_app
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery, Value
from django.utils import timezone

from apps.accounts.models import Membership
from apps.core.errors import ApplicationError
from apps.core.queue import publish_after_commit
from apps.tickets import actions
from apps.tickets.events import event_record, notify, ticket_transaction
from apps.tickets.models import Status, Ticket

from .calendars import calendar_get
from .events import CLOCK_NEWS, PolicyApplied, StepRan
from .models import (
    Calendar,
    Clock,
    ClockState,
    EscalationStep,
    Metric,
    Policy,
    StepRun,
    Target,
    TicketPolicy,
)
from .policies import active_policies

log = logging.getLogger(__name__)

DONE_STATUSES = (Status.RESOLVED, Status.CLOSED)
# Event kinds this app records itself: they never move a clock.
# The only events that can change what a clock depends on (status, priority, team, category,
# responses): every field change is a "changed" (or status) event, whoever made it. Notes,
# notifications, subtask and routing records leave the clocks as they are.
CLOCK_KINDS = ("created", "changed", "replied", "resolved", "reopened", "closed")


# --- Choosing the policy --------------------------------------------------------------------


def _matches(policy: Policy, ticket: Ticket) -> bool:
    return (
        (not policy.priorities or ticket.priority in policy.priorities)
        and (policy.category_id is None or policy.category_id == ticket.category_id)
        and (policy.team_id is None or policy.team_id == ticket.team_id)
        and (
            not policy.organisation
            or policy.organisation.lower() == ticket.requester.organisation_name.lower()
        )
    )


def policy_for_ticket(*, ticket: Ticket, may_be_chosen: bool = True) -> Policy | None:
    """The policy a routing rule set, else the first active one whose conditions match.
    ``may_be_chosen=False`` skips the look-up when no policy can have been set (a new ticket
    no rule gave one)."""
    policies = active_policies()
    chosen_id = (
        TicketPolicy.objects.filter(ticket=ticket).values_list("policy_id", flat=True).first()
        if may_be_chosen
        else None
    )
    if chosen_id is not None:
        chosen = next((p for p in policies if p.pk == chosen_id), None)
        if chosen is not None:  # a switched-off policy is not in the list: the rules decide
            return chosen
    return next((p for p in policies if _matches(p, ticket)), None)


@ticket_transaction()
def ticket_policy_apply(*, ticket: Ticket, policy: Policy, actor=None, source: str = "") -> str:
    """Set a ticket's policy explicitly (the "apply SLA policy" action); clocks follow."""
    if not policy.is_active:
        raise ApplicationError(f"The SLA policy “{policy}” is switched off.", field="policy")
    TicketPolicy.objects.update_or_create(ticket=ticket, defaults={"policy": policy})
    event_record(
        ticket=ticket,
        payload=PolicyApplied(policy=policy.name, policy_id=policy.pk, source=source),
        actor=actor,
    )  # the clocks follow when the change commits (see receivers)
    return f"SLA policy → {policy.name}"


@transaction.atomic
def policy_targets_set(*, policy: Policy, targets: dict[tuple[str, int], int | None]) -> None:
    """Set a policy's targets, {(metric, priority): business minutes}; None removes one.
    Clocks read the targets again whenever their ticket changes."""
    for (metric, priority), minutes in targets.items():
        if minutes is None:
            policy.targets.filter(metric=metric, priority=priority).delete()
        else:
            Target.objects.update_or_create(
                policy=policy, metric=metric, priority=priority, defaults={"minutes": minutes}
            )


# --- Keeping clocks in step -----------------------------------------------------------------


def _targets(policy: Policy, priority: int) -> dict[str, int]:
    return {t.metric: t.minutes * 60 for t in policy.targets.all() if t.priority == priority}


def _schedule(clock: Clock, policy: Policy, now: datetime) -> None:
    """Work out when a running clock warns and falls due, from the business time left."""
    cal = calendar_get(policy.calendar_id)
    start = clock.run_started_at
    left = max(clock.target_seconds - clock.elapsed_seconds, 0)
    warn_left = max(clock.target_seconds * policy.warn_percent / 100 - clock.elapsed_seconds, 0)
    clock.due_at = cal.add(start, left)
    clock.warn_at = cal.add(start, warn_left)
    if clock.warned_at and clock.warn_at > now:
        clock.warned_at = None  # more time was given (a lower priority): warn again later


def _start(ticket, policy, metric, seconds, at, cycle, now) -> Clock:
    clock = Clock(
        ticket=ticket,
        policy=policy,
        metric=metric,
        cycle=cycle,
        target_seconds=seconds,
        started_at=at,
        run_started_at=at,
    )
    _schedule(clock, policy, now)
    return clock


def _pause(clock: Clock, policy: Policy, now: datetime) -> None:
    cal = calendar_get(policy.calendar_id)
    clock.elapsed_seconds += max(cal.between(clock.run_started_at, now), 0)
    clock.state = ClockState.PAUSED
    clock.run_started_at = clock.warn_at = clock.due_at = None


def _resume(clock: Clock, policy: Policy, now: datetime) -> None:
    clock.state = ClockState.RUNNING
    clock.run_started_at = now
    _schedule(clock, policy, now)


def _late_seconds(clock: Clock, at: datetime) -> float | None:
    """Business seconds past the due time in force if the clock stops at ``at``; None if in
    time. A paused clock has no due time: it is late if it used more than its target."""
    if clock.state == ClockState.PAUSED or clock.due_at is None:
        over = clock.elapsed_seconds - clock.target_seconds
        return over if over > 0 else None
    if at <= clock.due_at:
        return None
    # Stopped after the due time, maybe while the desk was closed: late by at least nothing.
    return max(calendar_get(clock.policy.calendar_id).between(clock.due_at, at), 0)


def _meet(clock: Clock, at: datetime) -> None:
    """Stop the clock at ``at``, keeping its due time. Stopped after it is late (breached),
    whether or not the sweep noticed first; the sweep records a breach not yet recorded."""
    late = _late_seconds(clock, at)
    clock.met_at = at
    clock.late_seconds = late
    clock.state = ClockState.MET if late is None else ClockState.BREACHED
    clock.next_step_at = None
    clock.run_started_at = None


def _overdue(clock: Clock, now: datetime) -> bool:
    """Running past its due time: breached, even if the sweep has not marked it yet."""
    return clock.state == ClockState.RUNNING and clock.due_at is not None and clock.due_at <= now


def _sync_one(
    *, ticket, policy, metric, seconds, clocks, now, event_kind, by_agent, event_at
) -> None:
    """Bring one metric's clocks to what the ticket's current state says."""
    mine = [c for c in clocks if c.metric == metric]
    latest = max(mine, key=lambda c: c.cycle, default=None)
    open_clock = latest if latest and latest.met_at is None else None
    done = ticket.status in DONE_STATUSES
    if seconds is None:  # the policy makes no such promise (any more)
        if open_clock and open_clock.is_live and not _overdue(open_clock, now):
            open_clock.delete()
        return
    if open_clock is None:
        cycle = latest.cycle + 1 if latest else 1
        start_at = _start_time(ticket, metric, latest, event_kind, by_agent, event_at, done)
        if start_at is None:
            return
        open_clock = _start(ticket, policy, metric, seconds, start_at, cycle, now)
        clocks.append(open_clock)  # inserted with the other new ones by clocks_sync
    met_at = _met_time(ticket, metric, open_clock, event_kind, by_agent, event_at, done)
    if met_at is not None:
        _meet(open_clock, met_at)
        _save(open_clock)
        return
    _retarget_and_pause(open_clock, policy, seconds, ticket, now)


def _start_time(ticket, metric, latest, event_kind, by_agent, event_at, done):
    """When a new clock of this metric starts, or None if none should run now."""
    if done:
        return None
    if metric == Metric.FIRST_RESPONSE:
        return ticket.created_at if latest is None else None
    if metric == Metric.RESOLUTION:
        # The first one runs from creation; after a resolution, reopening starts a new one.
        return ticket.created_at if latest is None else timezone.now()
    # Next response: a requester's public reply after the first response asks for another.
    if event_kind == "replied" and not by_agent and ticket.first_response_at:
        return event_at
    return None


def _met_time(ticket, metric, clock, event_kind, by_agent, event_at, done):
    if metric == Metric.FIRST_RESPONSE and ticket.first_response_at:
        return max(ticket.first_response_at, clock.started_at)
    if metric == Metric.NEXT_RESPONSE and event_kind == "replied" and by_agent:
        return event_at
    if done:
        return ticket.resolved_at or ticket.closed_at or timezone.now()
    return None


def _retarget_and_pause(clock, policy, seconds, ticket, now) -> None:
    if _overdue(clock, now):
        # Already missed: like a breached clock it no longer pauses or gets more time, so an
        # answer now is late and the sweep still records the breach (the worker may be down).
        return
    changed = clock.policy_id != policy.pk or clock.target_seconds != seconds
    clock.policy, clock.target_seconds = policy, seconds
    paused = ticket.status in (policy.pause_statuses or [])
    if clock.state == ClockState.RUNNING and paused:
        _pause(clock, policy, now)
        changed = True
    elif clock.state == ClockState.PAUSED and not paused:
        _resume(clock, policy, now)
        changed = True
    elif changed and clock.state == ClockState.RUNNING:
        _schedule(clock, policy, now)
    if changed:
        _save(clock)


def _save(clock: Clock) -> None:
    if not clock._state.adding:  # a new clock is inserted with the others at the end
        clock.save()


@transaction.atomic(savepoint=False)
def clocks_sync(
    *,
    ticket_id: int,
    ticket=None,
    event_kind: str = "",
    by_agent: bool = False,
    event_at=None,
    new: bool = False,
    policy_applied: bool = True,
):
    """Recompute a ticket's clocks from its current state.

    Derives everything from the ticket as it stands (not from what an event says changed), so
    it may run after any number of changes. ``new``: the ticket was created in this
    transaction, so it has no clocks yet; ``policy_applied``: a policy may have been set on it.
    """
    now = timezone.now()
    event_at = event_at or now
    if ticket is None:
        ticket = Ticket.objects.select_related("requester__organisation").get(pk=ticket_id)
    clocks = [] if new else list(ticket.sla_clocks.select_for_update().order_by("metric", "cycle"))
    before = _snapshot(clocks)
    policy = policy_for_ticket(ticket=ticket, may_be_chosen=policy_applied or not new)
    if policy is None:
        gone = [c.pk for c in clocks if c.is_live and not _overdue(c, now)]
        if gone:
            Clock.objects.filter(pk__in=gone).delete()
            ticket_sla_state_store(ticket_id=ticket.pk)
        return
    targets = _targets(policy, ticket.priority)
    stored = len(clocks)  # _sync_one appends the clocks it starts
    for metric in Metric.values:
        _sync_one(
            ticket=ticket,
            policy=policy,
            metric=metric,
            seconds=targets.get(metric),
            clocks=clocks,
            now=now,
            event_kind=event_kind,
            by_agent=by_agent,
            event_at=event_at,
        )
    Clock.objects.bulk_create(clocks[stored:])
    if len(clocks) > stored or _snapshot(clocks[:stored]) != before:
        ticket_sla_state_store(ticket_id=ticket.pk)


def _snapshot(clocks: list[Clock]) -> list[tuple]:
    """What of the clocks the ticket's SLA state reads (a deleted clock has no pk)."""
    return [(c.pk, c.state, c.due_at, c.warn_at, c.met_at) for c in clocks]


def ticket_sla_state_store(*, ticket_id: int | None = None, tickets=None) -> int:
    """Write onto the ticket (or each of ``tickets``, a queryset) the SLA state its clocks
    say, for the queue to show and sort by: the earliest due time not met (a breached clock
    not yet met counts, at its past due time), the warning time of the running clock due
    first, whether one is breached and not met, whether one is paused.

    The one place these columns are written: every change of a clock's state, due time or
    met time calls it in the same transaction (clocks_sync, clock_breach; the backfill).
    """
    clocks = Clock.objects.filter(ticket=OuterRef("pk"))
    unmet = clocks.filter(
        state__in=[ClockState.RUNNING, ClockState.BREACHED], met_at__isnull=True
    ).order_by("due_at")
    running = clocks.filter(state=ClockState.RUNNING).order_by("due_at")
    if tickets is None:
        tickets = Ticket.objects.filter(pk=ticket_id)
    return tickets.update(
        sla_due_at=Subquery(unmet.values("due_at")[:1]),
        sla_warn_at=Subquery(running.values("warn_at")[:1]),
        sla_breached=Exists(
            clocks.filter(state=ClockState.BREACHED, met_at__isnull=True).values("pk")
        ),
        sla_paused=Exists(clocks.filter(state=ClockState.PAUSED).values("pk")),
    )


def clocks_react(*, ticket, events) -> None:
    """Recompute the clocks once for a change's events. A reply matters by who wrote it (it
    meets or starts a next-response clock): the last reply of the change decides."""
    replies = [e for e in events if e.kind == "replied"]
    last = replies[-1] if replies else events[-1]
    kinds = {e.kind for e in events}
    clocks_sync(
        ticket_id=ticket.pk,
        ticket=ticket,
        new="created" in kinds,
        policy_applied="sla_policy_applied" in kinds,
        event_kind=last.kind,
        by_agent=bool(last.data.get("by_agent")),
        event_at=last.created_at,
    )


# --- Timers ---------------------------------------------------------------------------------


def _people_to_tell(ticket: Ticket, *, leads: bool) -> list[int]:
    """The assignee; and the team's leads on a breach, or when nobody is assigned."""
    people = {ticket.assignee_id} if ticket.assignee_id else set()
    if (leads or not people) and ticket.team_id:
        people |= set(
            Membership.objects.filter(team_id=ticket.team_id, is_lead=True).values_list(
                "user_id", flat=True
            )
        )
    return sorted(people)


SOURCES = {"sla_warning": "SLA warning", "sla_breached": "SLA breach"}


def _announce(clock: Clock, kind: str, message: str, *, leads: bool) -> None:
    """Record the SLA event in the history, and who must hear of it (mail sends those)."""
    ticket = clock.ticket
    due = f"{timezone.localtime(clock.due_at):%a %d %b %H:%M}" if clock.due_at else ""
    news = CLOCK_NEWS[kind](target=clock.get_metric_display(), policy=clock.policy.name, due=due)
    event_record(ticket=ticket, payload=news)
    notify(
        ticket=ticket,
        user_ids=_people_to_tell(ticket, leads=leads),
        message=message,
        source=SOURCES[kind],
    )


def _clock(clock_id: int) -> Clock:
    return Clock.objects.select_related("ticket__team", "policy").get(pk=clock_id)


@ticket_transaction()
def clock_warn(*, clock_id: int, now: datetime | None = None) -> bool:
    """Warn that a clock is close to its due time. The conditional update is the claim: of two
    workers given the same clock, one updates the row and warns, the other updates nothing."""
    now = now or timezone.now()
    claimed = Clock.objects.filter(
        pk=clock_id, state=ClockState.RUNNING, warned_at__isnull=True, warn_at__lte=now
    ).update(warned_at=now)
    if not claimed:
        return False
    clock = _clock(clock_id)
    target = clock.get_metric_display().lower()
    message = (
        f"SLA warning: the {target} target is due in {_remaining_text(clock, now)}."
        if clock.due_at > now
        else f"SLA warning: the {target} target is due now."
    )
    _announce(clock, "sla_warning", message, leads=False)
    return True


# Due and not yet recorded as breached: running past its due time, or already stopped late.
UNRECORDED_BREACH = Q(breached_at__isnull=True) & (
    Q(state=ClockState.RUNNING) | Q(state=ClockState.BREACHED)
)


@ticket_transaction()
def clock_breach(*, clock_id: int, now: datetime | None = None) -> bool:
    """Record a clock's breach (once): a running clock past its due time, or one an answer
    stopped late before the sweep saw it due (the worker was down). Escalation steps are
    scheduled only for a clock still running: an answered clock needs no push."""
    now = now or timezone.now()
    claimed = (
        Clock.objects.filter(UNRECORDED_BREACH, pk=clock_id)
        .filter(Q(due_at__lte=now) | Q(met_at__isnull=False))
        .update(state=ClockState.BREACHED, breached_at=now)
    )
    if not claimed:
        return False
    clock = _clock(clock_id)
    ticket_sla_state_store(ticket_id=clock.ticket_id)
    if clock.met_at is None:
        clock.next_step_at = _next_step_time(clock)
        clock.save(update_fields=["next_step_at"])
    target = clock.get_metric_display().lower()
    was_due = f"{timezone.localtime(clock.due_at):%d %b %H:%M}" if clock.due_at else "earlier"
    message = f"SLA breached: the {target} target was due {was_due}"
    if clock.met_at:
        message += (
            f"; it was met late, {timezone.localtime(clock.met_at):%d %b %H:%M}"
            f" (late by {duration_text(clock.late_seconds or 0)})"
        )
    _announce(clock, "sla_breached", message + ".", leads=True)
    return True


def _steps(clock: Clock) -> list[EscalationStep]:
    return list(
        clock.policy.steps.filter(Q(metric="") | Q(metric=clock.metric)).order_by(
            "delay_minutes", "id"
        )
    )


def _next_step_time(clock: Clock) -> datetime | None:
    steps = _steps(clock)
    if clock.steps_done >= len(steps):
        return None
    cal = calendar_get(clock.policy.calendar_id)
    return cal.add(clock.due_at, steps[clock.steps_done].delay_minutes * 60)


@ticket_transaction()
def clock_step_run(*, clock_id: int, now: datetime | None = None) -> str | None:
    """Run the clock's next escalation step if its time has come; None if there was nothing
    to do (not yet, none left, or another worker did it). The clock row is locked while the
    step runs and a StepRun row, unique per clock and step, records it."""
    now = now or timezone.now()
    clock = (
        Clock.objects.select_for_update(of=("self",))
        .filter(pk=clock_id, next_step_at__lte=now)
        .select_related("ticket__team", "policy")
        .first()
    )
    if clock is None:
        return None
    steps = _steps(clock)
    if clock.steps_done >= len(steps):
        Clock.objects.filter(pk=clock_id).update(next_step_at=None)
        return None
    step = steps[clock.steps_done]
    try:
        with transaction.atomic():
            run = StepRun.objects.create(clock=clock, step=step, ran_at=now)
    except IntegrityError:
        run = None  # it ran before (the policy's steps changed since): just move on
    if run is not None:
        _run_step(clock, step, run)
    clock.steps_done += 1
    clock.next_step_at = _next_step_time(clock)
    clock.save(update_fields=["steps_done", "next_step_at"])
    if clock.next_step_at and clock.next_step_at <= now:
        # Several steps already due (the workers were down): run the next without waiting
        # for the sweep.
        from .tasks import clock_step_task

        publish_after_commit(clock_step_task, clock_id)
    return (run.outcome or run.error) if run else None


def _run_step(clock: Clock, step: EscalationStep, run: StepRun) -> None:
    """Apply the step's ticket action by name; a failure is recorded on the step, not raised,
    so one broken step (an action not installed, an agent who left) never blocks the rest."""
    source = f"SLA policy “{clock.policy.name}”, {step.delay_minutes} min after breach"
    ticket = Ticket.objects.get(pk=clock.ticket_id)
    try:
        with transaction.atomic():
            run.outcome = actions.action_apply(
                name=step.action, ticket=ticket, params=step.params, actor=None, source=source
            )[:255]
    except ApplicationError as exc:
        run.error = exc.message[:255]
    run.save(update_fields=["outcome", "error"])
    event_record(
        ticket=ticket,
        payload=StepRan(
            target=clock.get_metric_display(),
            action=step.action,
            outcome=run.outcome,
            error=run.error,
        ),
    )


def _remaining_text(clock: Clock, now: datetime) -> str:
    cal = calendar_get(clock.policy.calendar_id)
    return duration_text(cal.between(now, clock.due_at))


def duration_text(seconds: float) -> str:
    """A business-time span as people say it: "2d 3h", "3h 20m", "12m"."""
    seconds = int(abs(seconds))
    minutes = (seconds + 59) // 60
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{days}d {hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h {minutes}m" if minutes else f"{hours}h"
    return f"{minutes}m"


# --- The sweep ------------------------------------------------------------------------------

SWEEP_BATCH = 500


def sla_sweep(*, now: datetime | None = None, enqueue=None, batch: int = SWEEP_BATCH) -> dict:
    """Find clocks whose warn, due or step time has passed and enqueue one task for each.

    Each query reads a partial index from its start up to ``now``, so the cost follows the
    number of clocks due, not the number running. A clock found twice (two beats, a backlog)
    is harmless: the tasks claim before acting. Returns the ids found per kind.
    """
    from . import tasks

    now = now or timezone.now()
    due = {
        "warn": Clock.objects.filter(
            state=ClockState.RUNNING, warned_at__isnull=True, warn_at__lte=now
        ).order_by("warn_at"),
        "breach": Clock.objects.filter(state=ClockState.RUNNING, due_at__lte=now).order_by(
            "due_at"
        ),
        # Stopped late before any sweep saw them due: their breach is still to be recorded.
        "late": Clock.objects.filter(state=ClockState.BREACHED, breached_at__isnull=True).order_by(
            "due_at"
        ),
        "step": Clock.objects.filter(next_step_at__lte=now).order_by("next_step_at"),
    }
    moment = {"warn": "warn_at", "breach": "due_at", "late": "due_at", "step": "next_step_at"}
    # One round trip: each part still reads its own partial index up to ``now``.
    parts = [
        qs.annotate(kind=Value(kind), moment=F(moment[kind])).values_list("kind", "pk", "moment")[
            :batch
        ]
        for kind, qs in due.items()
    ]
    if connection.features.supports_slicing_ordering_in_compound:
        rows = list(parts[0].union(*parts[1:], all=True))
    else:  # SQLite: no LIMIT inside a UNION, so one query per kind
        rows = [row for part in parts for row in part]
    # In the order things fell due, so after an outage the history reads as it happened (a
    # clock's warning before its breach, earlier clocks first).
    rank = {"warn": 0, "breach": 1, "late": 1, "step": 2}
    never = datetime.max.replace(tzinfo=UTC)
    rows.sort(key=lambda row: (row[2] or never, rank[row[0]], row[1]))
    found: dict[str, list[int]] = {"warn": [], "breach": [], "step": []}
    work = []
    for kind, clock_id, _ in rows:
        kind = "breach" if kind == "late" else kind
        found[kind].append(clock_id)
        work.append((kind, clock_id))
    task_for = {"warn": tasks.clock_warn_task, "breach": tasks.clock_breach_task}
    task_for["step"] = tasks.clock_step_task
    try:
        with ExitStack() as stack:
            if enqueue is None:
                # One broker connection for the whole batch, not one per task.
                producer = stack.enter_context(current_app.producer_or_acquire())

                def enqueue(task, clock_id):
                    task.apply_async((clock_id,), producer=producer, retry=False)

            for kind, clock_id in work:
                enqueue(task_for[kind], clock_id)
    except Exception:  # the broker is down: nothing was claimed, the next sweep finds them again
        log.warning("SLA sweep could not enqueue; the clocks stay due", exc_info=True)
    return found


# --- Business seconds for other apps ----------------------------------------------------------


def ticket_business_seconds(ticket: Ticket, start: datetime, end: datetime) -> float:
    """Business seconds between two instants in the ticket's calendar: its policy's, else the
    default calendar; wall-clock seconds when no calendar is set up at all."""
    policy = policy_for_ticket(ticket=ticket)
    calendar_id = (
        policy.calendar_id
        if policy
        else Calendar.objects.filter(is_default=True).values_list("pk", flat=True).first()
    )
    if calendar_id is None:
        return (end - start).total_seconds()
    return calendar_get(calendar_id).between(start, end)
