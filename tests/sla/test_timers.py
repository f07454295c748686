"""The sweep warns, breaches and escalates what came due — each exactly once, whoever runs it
and however often (tasks inline here; test_worker.py does it through a real broker)."""

from datetime import datetime

import pytest

from apps.core.models import OutboxMessage
from apps.sla import services
from apps.sla.models import Clock, ClockState, StepRun
from apps.tickets import actions
from apps.tickets.models import Priority

from .conftest import BERLIN, FR, RES
from .factories import policy_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def quick(always, lead, agent):
    """Round the clock: first response in 10 min, resolution in 20, warn at half; after a
    breach: raise to urgent at once, tell the lead 5 min later, escalate after 10."""
    return policy_with(
        "Quick",
        always,
        {
            (FR, Priority.NORMAL): 10,
            (RES, Priority.NORMAL): 20,
            (FR, Priority.URGENT): 10,
            (RES, Priority.URGENT): 20,
        },
        warn_percent=50,
        steps=[
            (0, "set_priority", {"priority": Priority.URGENT}),
            (5, "notify", {"users": [lead.pk], "message": "Breached: please look."}),
            (10, "escalate", {"reason": "SLA breached"}),
        ],
        position=1,
    )


def kinds(ticket, kind):
    return ticket.events.filter(kind=kind).count()


def sweep_at(at, *args):
    with at(*args):
        return services.sla_sweep()


def test_a_ticket_warns_breaches_and_escalates_once(quick, open_ticket, agent, lead, at):
    with at(2026, 6, 6, 22, 0):
        ticket = open_ticket()
        ticket.assignee = agent
        ticket.save(update_fields=["assignee"])
    first = Clock.objects.get(ticket=ticket, metric=FR)

    assert sweep_at(at, 2026, 6, 6, 22, 4) == {"warn": [], "breach": [], "step": []}
    found = sweep_at(at, 2026, 6, 6, 22, 5)
    assert found["warn"] == [first.pk]
    assert kinds(ticket, "sla_warning") == 1
    warned = ticket.events.get(kind="notified", data__source="SLA warning")
    assert warned.data["user_ids"] == [agent.pk]  # the assignee; leads hear of breaches

    sweep_at(at, 2026, 6, 6, 22, 6)  # a later sweep finds nothing new to warn about
    assert kinds(ticket, "sla_warning") == 1

    sweep_at(at, 2026, 6, 6, 22, 10)
    first.refresh_from_db()
    assert first.state == ClockState.BREACHED
    assert kinds(ticket, "sla_breached") == 1
    breached = ticket.events.get(kind="notified", data__source="SLA breach")
    assert breached.data["user_ids"] == sorted([agent.pk, lead.pk])
    # The first step (delay 0) was due at the breach: it runs on the next sweep.
    sweep_at(at, 2026, 6, 6, 22, 11)
    ticket.refresh_from_db()
    assert ticket.priority == Priority.URGENT
    assert kinds(ticket, "sla_step") == 1

    for minute in (12, 13, 15, 15, 16):
        sweep_at(at, 2026, 6, 6, 22, minute)
    assert kinds(ticket, "sla_step") == 2
    told = ticket.events.filter(kind="notified", data__source__startswith="SLA policy").get()
    assert told.data["user_ids"] == [lead.pk]
    # Mail queued one message per person and notification: warnings of both clocks to the
    # agent, the breach to agent and lead, the step to the lead.
    assert (
        OutboxMessage.objects.filter(ticket_reference=ticket.reference, kind="notified").count()
        == 5
    )


def test_a_step_whose_action_is_not_installed_records_why_and_the_rest_go_on(
    quick, open_ticket, at, monkeypatch
):
    monkeypatch.delitem(actions._registry, "escalate")
    with at(2026, 6, 6, 22, 0):
        ticket = open_ticket()
    for minute in (10, 11, 16, 21, 25):
        sweep_at(at, 2026, 6, 6, 22, minute)
    runs = {
        r.step.action: r for r in StepRun.objects.filter(clock__ticket=ticket, clock__metric=FR)
    }
    assert runs["escalate"].error == "There is no ticket action called “escalate”."
    assert runs["set_priority"].error == ""
    clock = Clock.objects.get(ticket=ticket, metric=FR)
    assert clock.steps_done == 3
    assert clock.next_step_at is None
    recorded = ticket.events.get(kind="sla_step", data__action="escalate")
    assert recorded.data["error"] == runs["escalate"].error


def test_running_a_task_again_or_two_sweeps_at_once_changes_nothing(quick, open_ticket, at):
    with at(2026, 6, 6, 22, 0):
        ticket = open_ticket()
    clock = Clock.objects.get(ticket=ticket, metric=FR)
    with at(2026, 6, 6, 22, 10):
        assert services.clock_warn(clock_id=clock.pk) is True
        assert services.clock_warn(clock_id=clock.pk) is False
        assert services.clock_breach(clock_id=clock.pk) is True
        assert services.clock_breach(clock_id=clock.pk) is False
        assert services.clock_step_run(clock_id=clock.pk) == "priority → 4"
        assert services.clock_step_run(clock_id=clock.pk) is None  # the next is not due yet
        queued = []
        services.sla_sweep(enqueue=lambda task, pk: queued.append((task.name, pk)))
        services.sla_sweep(enqueue=lambda task, pk: queued.append((task.name, pk)))
    # Both sweeps saw the resolution clock's warning; running all that work twice is harmless.
    resolution = Clock.objects.get(ticket=ticket, metric=RES)
    assert queued.count(("apps.sla.tasks.clock_warn_task", resolution.pk)) == 2
    from apps.sla import tasks

    for name, pk in queued:
        with at(2026, 6, 6, 22, 10):
            getattr(tasks, name.rsplit(".", 1)[1]).apply(args=[pk])
    assert kinds(ticket, "sla_warning") == 2  # one per clock
    assert kinds(ticket, "sla_breached") == 1
    assert kinds(ticket, "sla_step") == 1


def test_a_reply_in_time_means_no_breach(quick, open_ticket, agent, at):
    from apps.tickets.services import comment_add

    with at(2026, 6, 6, 22, 0):
        ticket = open_ticket()
    with at(2026, 6, 6, 22, 7):
        comment_add(ticket=ticket, author=agent, body="On it.")
    sweep_at(at, 2026, 6, 6, 22, 12)
    assert Clock.objects.get(ticket=ticket, metric=FR).state == ClockState.MET
    assert kinds(ticket, "sla_breached") == 0


def test_a_late_reply_marks_the_breached_clock_met_late_and_stops_the_steps(
    quick, open_ticket, agent, at
):
    from apps.tickets.services import comment_add

    with at(2026, 6, 6, 22, 0):
        ticket = open_ticket()
    sweep_at(at, 2026, 6, 6, 22, 10)
    with at(2026, 6, 6, 22, 12):
        comment_add(ticket=ticket, author=agent, body="Sorry for the wait.")
    clock = Clock.objects.get(ticket=ticket, metric=FR)
    assert clock.state == ClockState.BREACHED
    assert clock.met_at.astimezone(BERLIN).replace(tzinfo=None) == datetime(2026, 6, 6, 22, 12)
    assert clock.next_step_at is None
    sweep_at(at, 2026, 6, 6, 22, 30)
    assert StepRun.objects.filter(clock=clock).count() == 0


@pytest.mark.postgresql
def test_the_sweep_reads_only_due_clocks_through_the_partial_indexes(quick, open_ticket, at):
    from django.db import connection

    with at(2026, 6, 6, 22, 0):
        open_ticket()
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        for sql, index in (
            (
                "SELECT id FROM sla_clock WHERE state = 'running' AND warned_at IS NULL "
                "AND warn_at <= now() ORDER BY warn_at LIMIT 500",
                "sla_clock_warn_idx",
            ),
            (
                "SELECT id FROM sla_clock WHERE state = 'running' AND due_at <= now() "
                "ORDER BY due_at LIMIT 500",
                "sla_clock_due_idx",
            ),
            (
                "SELECT id FROM sla_clock WHERE next_step_at <= now() "
                "ORDER BY next_step_at LIMIT 500",
                "sla_clock_step_idx",
            ),
        ):
            cursor.execute("EXPLAIN " + sql)
            plan = " ".join(row[0] for row in cursor.fetchall())
            assert index in plan
        cursor.execute("SET enable_seqscan = on")
