"""Exactly once through a real Celery worker on Redis: two sweeps at the same moment and every
task delivered again still give one warning per clock, one breach and one run of each step.

Clock tasks are acks_late: a worker killed mid-task leaves the message unacknowledged and it is
delivered again. That is safe because each task claims its work in the same transaction as its
effects (a conditional UPDATE for warnings and breaches, a locked row plus a unique StepRun for
steps): killed before commit, nothing happened; after commit, the redelivery claims nothing.
"""

import os
import threading
import time
from datetime import timedelta

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker
from celery.result import EagerResult
from django.db import connection, connections
from django.utils import timezone

from apps.core.models import OutboxMessage, OutboxStatus
from apps.sla import services, tasks
from apps.sla.models import Clock, ClockState, StepRun
from apps.tickets.models import Priority
from config.celery import app

from .conftest import FR, RES
from .factories import policy_with

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL"),
        reason="needs Redis: set REDIS_URL (e.g. redis://127.0.0.1:6379/7) to run a real worker",
    ),
]


def wait_for(condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError("the worker did not finish in time")


def two_sweeps_at_once() -> None:
    """Two beat processes firing in the same instant, each with its own connection."""
    barrier = threading.Barrier(2)

    def sweep():
        barrier.wait()
        try:
            services.sla_sweep()
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def events(ticket, kind):
    return ticket.events.filter(kind=kind).count()


def test_warnings_breaches_and_steps_happen_once_with_a_real_worker(
    transactional_db, always, open_ticket, agent, lead, mailoutbox
):
    policy_with(
        "Quick",
        always,
        {(FR, Priority.NORMAL): 10, (RES, Priority.NORMAL): 20},
        warn_percent=50,
        steps=[
            (0, "add_tags", {"tags": ["sla-breached"]}),
            (60, "notify", {"users": [lead.pk]}),
        ],
    )
    # Opened 12 minutes ago: both clocks are past their warning, first response is overdue.
    with time_machine.travel(timezone.now() - timedelta(minutes=12), tick=True):
        ticket = open_ticket()
    first = Clock.objects.get(ticket=ticket, metric=FR)
    resolution = Clock.objects.get(ticket=ticket, metric=RES)

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    app.control.purge()
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            two_sweeps_at_once()  # warnings of both clocks, the breach of the first
            wait_for(
                lambda: events(ticket, "sla_breached") == 1 and events(ticket, "sla_warning") == 2
            )
            two_sweeps_at_once()  # the first escalation step, due at the breach
            wait_for(lambda: StepRun.objects.filter(clock=first).exists())
            wait_for(lambda: events(ticket, "sla_step") == 1)

            # Every task delivered once more, through the broker: each one is a no-op.
            # (Results are normally not stored; these ask for them so the test can wait.)
            again = [
                task.apply_async((pk,), ignore_result=False)
                for task, pk in (
                    (tasks.clock_warn_task, first.pk),
                    (tasks.clock_warn_task, resolution.pk),
                    (tasks.clock_breach_task, first.pk),
                    (tasks.clock_step_task, first.pk),
                )
            ]
            assert not isinstance(again[0], EagerResult)
            assert [r.get(timeout=30) for r in again] == [False, False, False, None]
            wait_for(lambda: not OutboxMessage.objects.exclude(status=OutboxStatus.SENT).exists())
    finally:
        app.conf.task_always_eager = eager
        connections.close_all()

    first.refresh_from_db()
    assert first.state == ClockState.BREACHED
    assert first.steps_done == 1
    assert events(ticket, "sla_warning") == 2
    assert events(ticket, "sla_breached") == 1
    assert events(ticket, "sla_step") == 1
    assert list(ticket.tags.values_list("name", flat=True)) == ["sla-breached"]
    # Warnings go to the team lead (nobody is assigned); the breach to the lead as well.
    notified = OutboxMessage.objects.filter(ticket_reference=ticket.reference, kind="notified")
    assert notified.count() == 3
    assert len([m for m in mailoutbox if "attention" in m.subject]) == 3
