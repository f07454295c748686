"""The outbox against a real SMTP server: each message once, retried while the server is down,
given up with the reason when it never can go, and sent again from the admin."""

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from apps.core.mailthread import message_id_for, outbox_ids_in, reply_address_for
from apps.core.models import OutboxMessage, OutboxStatus
from apps.core.outbox import mail_domain, outbox_enqueue, outbox_send, outbox_sweep
from apps.core.tasks import send_outbox_message
from apps.subtasks.models import SubtaskKind
from apps.subtasks.services import subtask_create
from apps.tickets.services import ticket_create, ticket_update
from tests.conftest import signed_in
from tests.factories import MembershipFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def enqueue(n: int = 1, **fields) -> OutboxMessage | None:
    values = {
        "kind": "test",
        "to": "rita@example.com",
        "subject": f"Message {n}",
        "body": f"Body of message {n}.",
        "dedupe_key": f"test:{n}",
        **fields,
    }
    return outbox_enqueue(**values)


def sweep_later(minutes: float) -> dict:
    """Run the beat sweep as it would run ``minutes`` from now (tasks run inline)."""
    with time_machine.travel(timezone.now() + timedelta(minutes=minutes)):
        return outbox_sweep()


def test_a_message_is_stored_with_the_change_and_sent_after_commit(
    smtp_sink, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message = enqueue(headers={"X-Switchboard-Ticket": "SB-10001"})
        assert smtp_sink.delivered == []  # nothing leaves before the commit

    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert message.attempts == 1
    [received] = smtp_sink.messages_to("rita@example.com")
    assert received["Subject"] == "Message 1"
    assert received["X-Switchboard-Ticket"] == "SB-10001"
    # Signed, so a reply quoting it proves what it answers; marked automatic (RFC 3834).
    assert received["Message-ID"] == message_id_for(message.pk, mail_domain())
    assert received["Reply-To"] == reply_address_for(message.pk)
    assert outbox_ids_in(received["Message-ID"] + received["Reply-To"]) == [message.pk]
    assert received["Auto-Submitted"] == "auto-generated"


@transaction.atomic
def a_service_that_fails_after_queuing():
    enqueue()
    raise RuntimeError("the service failed after queuing")


def test_a_rolled_back_change_sends_nothing(smtp_sink, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        a_service_that_fails_after_queuing()

    assert not OutboxMessage.objects.exists()
    assert smtp_sink.delivered == []


def test_the_same_fact_is_stored_once_and_a_duplicate_task_sends_nothing(
    smtp_sink, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = enqueue()
        assert enqueue() is None  # a re-delivered event, a retried service

    assert send_outbox_message.delay(first.pk).get() is False  # the broker hands it out again
    assert OutboxMessage.objects.count() == 1
    assert smtp_sink.count("rita@example.com") == 1


@pytest.fixture
def store_team(db, triage_team, team, agent, requester):
    """Five store managers as one team, and a ticket the agent works."""
    stores = TeamFactory(name="Store managers", slug="store-managers")
    people = [
        UserFactory(email=f"store{n}@example.com", full_name=f"Store {n}") for n in range(1, 6)
    ]
    for person in people:
        MembershipFactory(user=person, team=stores)
    ticket = ticket_create(
        requester=requester, subject="Price labels wrong", description="In every store."
    )
    ticket_update(ticket=ticket, actor=agent, data={"team": team, "assignee": agent})
    kind, _ = SubtaskKind.objects.get_or_create(name="Data fix")
    return stores, people, ticket, kind


def test_one_refused_recipient_of_a_team_mail_leaves_the_others_sent_once(
    store_team, agent, smtp_sink, django_capture_on_commit_callbacks
):
    stores, people, ticket, kind = store_team
    smtp_sink.refuse("store3@example.com", "451 4.2.2 mailbox busy, try later", times=1)

    with django_capture_on_commit_callbacks(execute=True):
        subtask_create(
            ticket=ticket, actor=agent, title="Re-label", kind=kind, assignee_team=stores
        )

    links = OutboxMessage.objects.filter(kind="subtask_assigned")
    assert links.count() == 5  # one row per person
    waiting = links.get(status=OutboxStatus.PENDING)
    assert waiting.to == "store3@example.com"
    assert "451" in waiting.last_error
    sent = {p.email: smtp_sink.count(p.email) for p in people}
    assert sent == {p.email: 0 if p.email == "store3@example.com" else 1 for p in people}

    sweep_later(minutes=5)  # publishes what did not go (and nothing that went)

    assert {p.email: smtp_sink.count(p.email) for p in people} == {p.email: 1 for p in people}
    assert set(links.values_list("status", flat=True)) == {OutboxStatus.SENT}


def test_a_server_refusing_for_a_while_is_retried_with_growing_delays_until_it_goes(
    smtp_sink, django_capture_on_commit_callbacks
):
    smtp_sink.refuse_connections("421 4.3.2 service not available", times=3)
    with django_capture_on_commit_callbacks(execute=True):
        message = enqueue()

    delays, now = [], timezone.now()
    for _ in range(3):
        message.refresh_from_db()
        assert message.status == OutboxStatus.PENDING
        assert message.last_error.startswith("SMTPConnectError: 421")
        delays.append((message.next_attempt_at - now).total_seconds())
        now = message.next_attempt_at + timedelta(minutes=1, seconds=1)
        with time_machine.travel(now):
            outbox_sweep()

    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert message.attempts == 4
    assert smtp_sink.count("rita@example.com") == 1
    # About 1, 2 and 4 minutes (with ±20 % jitter), measured from the failed attempt.
    assert 45 < delays[0] < 75
    assert 90 < delays[1] < 150
    assert 185 < delays[2] < 295


def test_a_hanging_server_is_a_temporary_failure_not_a_lost_message(
    smtp_sink, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_TIMEOUT = 1
    smtp_sink.hang_after_data()
    with django_capture_on_commit_callbacks(execute=True):
        message = enqueue()

    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING
    assert "timed out" in message.last_error
    smtp_sink.recover()  # the hanging session sees its client gone and delivers nothing

    sweep_later(minutes=5)

    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert smtp_sink.count("rita@example.com") == 1


def test_after_the_last_attempt_the_message_is_failed_with_the_reason(
    smtp_sink, settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    smtp_sink.refuse_connections("421 4.3.2 service not available", times=10)
    with django_capture_on_commit_callbacks(execute=True):
        message = enqueue()
    for minutes in (10, 20, 30, 40):
        sweep_later(minutes=minutes)

    message.refresh_from_db()
    assert message.status == OutboxStatus.FAILED
    assert message.attempts == 3
    assert message.last_error.startswith("gave up after 3 attempts; last: SMTPConnectError: 421")


def test_a_permanent_refusal_fails_at_once_and_the_admin_can_retry_it(
    smtp_sink, admin_user, django_capture_on_commit_callbacks
):
    smtp_sink.refuse("gone@example.com", "550 5.1.1 no such user")
    with django_capture_on_commit_callbacks(execute=True):
        message = enqueue(to="gone@example.com")

    message.refresh_from_db()
    assert message.status == OutboxStatus.FAILED
    assert message.attempts == 1
    assert message.last_error == "SMTPRecipientsRefused: gone@example.com: 550 5.1.1 no such user"
    assert sweep_later(minutes=60)["published"] == 0  # failed stays failed

    admin = signed_in(admin_user)
    changelist = reverse("admin:core_outboxmessage_changelist")
    page = admin.get(changelist, {"status__exact": "failed"}).content.decode()
    assert "gone@example.com" in page
    smtp_sink.accept_everyone()  # the mailbox was re-created
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            changelist, {"action": "retry_now", "_selected_action": [message.pk]}, follow=True
        )

    assert "1 message(s) will be sent again now." in response.content.decode()
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert smtp_sink.count("gone@example.com") == 1


def test_a_header_with_a_line_break_fails_for_good_and_the_others_still_go(
    smtp_sink, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        bad = enqueue(1, headers={"X-Switchboard-Ticket": "SB-1\r\nBcc: victim@example.com"})
        good = enqueue(2)

    bad.refresh_from_db()
    good.refresh_from_db()
    assert bad.status == OutboxStatus.FAILED
    assert bad.attempts == 1
    assert bad.last_error.startswith("BadHeaderError")
    assert good.status == OutboxStatus.SENT
    assert smtp_sink.counts() == {"rita@example.com": 1}
    assert smtp_sink.messages_to("rita@example.com")[0]["Subject"] == "Message 2"


def test_messages_stored_while_the_broker_was_down_are_sent_by_the_sweep(
    smtp_sink, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(send_outbox_message, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(1), enqueue(2)  # the change commits; publishing fails quietly
    assert sweep_later(minutes=2)["published"] == 0  # still down: the sweep stops, keeps them
    monkeypatch.undo()
    assert smtp_sink.delivered == []

    assert sweep_later(minutes=3)["published"] == 2

    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}
    assert smtp_sink.count("rita@example.com") == 2


def test_a_fresh_message_is_left_to_its_own_task_by_the_sweep(smtp_sink):
    enqueue()  # no commit callbacks run: as if its task were still in the queue

    assert outbox_sweep()["published"] == 0
    assert sweep_later(minutes=2)["published"] == 1


def test_a_dead_workers_claim_is_taken_back_but_a_slow_workers_is_not(smtp_sink, settings):
    message = enqueue()
    claimed_at = timezone.now()
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxStatus.SENDING, claimed_at=claimed_at, attempts=1
    )
    slow = timedelta(seconds=settings.EMAIL_TIMEOUT + settings.CELERY_TASK_TIME_LIMIT)
    with time_machine.travel(claimed_at + slow):
        assert outbox_sweep() == {"reclaimed": 0, "gave_up": 0, "published": 0}
    assert outbox_send(message_id=message.pk) is False  # the claim is still someone's

    stale = timedelta(seconds=settings.OUTBOX_STALE_CLAIM_SECONDS + 1)
    with time_machine.travel(claimed_at + stale):
        assert outbox_sweep() == {"reclaimed": 1, "gave_up": 0, "published": 1}

    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert message.attempts == 2
    assert smtp_sink.count("rita@example.com") == 1


def test_a_message_that_keeps_killing_its_worker_is_given_up(settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    message = enqueue()
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxStatus.SENDING, claimed_at=timezone.now(), attempts=2
    )

    result = sweep_later(minutes=60)

    message.refresh_from_db()
    assert result == {"reclaimed": 0, "gave_up": 1, "published": 0}
    assert message.status == OutboxStatus.FAILED
    assert "worker sending it stopped" in message.last_error
