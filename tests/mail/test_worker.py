"""A real Celery worker, against the Redis in REDIS_URL, sends a ticket's e-mail exactly once.

Everything else in the suite runs tasks inline; this is the test that the broker, the worker,
``transaction.on_commit`` and the claim work together.
"""

import os

import pytest
from celery.contrib.testing.worker import start_worker
from celery.result import EagerResult
from django.db import connections

from apps.core.models import OutboxMessage, OutboxStatus
from apps.core.tasks import send_outbox_message
from apps.tickets.services import ticket_create
from config.celery import app

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL"),
        reason="needs Redis: set REDIS_URL (e.g. redis://127.0.0.1:6379/0); .ci/run does",
    ),
]


@pytest.fixture
def worker(transactional_db):
    """A worker thread consuming the real broker, with tasks no longer run inline."""
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    app.control.purge()  # nothing left over from an interrupted run
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            yield
    finally:
        app.conf.task_always_eager = eager
        # The worker thread's connection would keep the test database from being dropped.
        connections.close_all()


def test_the_worker_sends_the_received_mail_once_even_if_the_task_is_sent_twice(
    worker, requester, lookups, triage_team, mailoutbox
):
    ticket = ticket_create(
        requester=requester,
        subject="No network at Store 112",
        description="Tills offline since 8:00.",
        **lookups,
    )  # committed: on_commit has handed the message to the broker
    message = OutboxMessage.objects.get(ticket_reference=ticket.reference, kind="ticket_received")

    # The same message delivered again (a retry, a redelivery after a lost ack). Results are
    # normally not kept; these ask for them so the test can wait.
    duplicates = [
        send_outbox_message.apply_async((message.pk,), ignore_result=False) for _ in range(2)
    ]
    assert not isinstance(duplicates[0], EagerResult)  # really through the broker
    assert [d.get(timeout=30) for d in duplicates] == [False, False]

    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert message.attempts == 1
    [mail] = mailoutbox
    assert mail.to == [requester.email]
    assert ticket.reference in mail.subject
