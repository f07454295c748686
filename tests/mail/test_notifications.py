"""The e-mails a ticket's life sends: received, replied; never an internal note; each once.

(How the outbox sends, retries and gives up is tested in tests/core.)
"""

import pytest

from apps.core.models import OutboxMessage, OutboxStatus
from apps.core.outbox import mail_domain
from apps.core.tasks import send_outbox_message
from apps.mail.services import notifications_queue_for_event
from apps.tickets.services import comment_add, ticket_create

pytestmark = pytest.mark.django_db


def test_opening_a_ticket_mails_the_requester_its_tracking_number(
    requester, lookups, triage_team, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_create(
            requester=requester, subject="VPN drops", description="Every 5 minutes.", **lookups
        )

    [mail] = mailoutbox
    message = OutboxMessage.objects.get(ticket_reference=ticket.reference)
    assert mail.to == [requester.email]
    assert mail.subject == f"[{ticket.reference}] We received your request: VPN drops"
    assert f"tracking number {ticket.reference}" in mail.body
    assert f"/portal/tickets/{ticket.reference}/" in mail.body
    assert mail.extra_headers["X-Switchboard-Ticket"] == ticket.reference
    # Replies thread on the ticket, whatever the mail client.
    assert mail.extra_headers["In-Reply-To"] == f"<{ticket.reference}@{mail_domain()}>"
    assert mail.extra_headers["Message-ID"].startswith("<sb.")  # signed: see tests/core
    assert message.thread == f"ticket:{ticket.pk}"  # where a reply to it lands
    assert message.status == OutboxStatus.SENT
    assert message.kind == "ticket_received"


def test_an_agent_reply_is_mailed_to_the_requester(
    opened, agent, requester, mailoutbox, django_capture_on_commit_callbacks
):
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        comment_add(ticket=opened, author=agent, body="Patched till 3, please try again.")

    [mail] = mailoutbox
    assert mail.to == [requester.email]
    assert mail.subject == f"[{opened.reference}] Till 3 freezes on loyalty cards"
    assert "Alex Agent replied" in mail.body
    assert "Patched till 3, please try again." in mail.body


def test_an_internal_note_sends_nothing_to_the_requester(
    opened, agent, mailoutbox, django_capture_on_commit_callbacks
):
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        comment_add(
            ticket=opened, author=agent, body="Loyalty service timeout again.", internal=True
        )

    note_event = opened.events.get(kind="note_added")
    assert mailoutbox == []
    assert not OutboxMessage.objects.filter(dedupe_key__startswith=f"event:{note_event.pk}:")
    assert not OutboxMessage.objects.filter(body__contains="Loyalty service timeout").exists()


def test_the_requesters_own_reply_is_not_mailed_back_to_them(
    opened, requester, mailoutbox, django_capture_on_commit_callbacks
):
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        comment_add(ticket=opened, author=requester, body="It happened again at 11:02.")

    assert [m.to for m in mailoutbox if requester.email in m.to] == []


def test_a_retried_or_duplicated_task_sends_the_message_once(
    requester, lookups, triage_team, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as after_commit:
        ticket = ticket_create(
            requester=requester, subject="VPN drops", description="Every 5 minutes.", **lookups
        )

    # The broker hands the same task out twice (a worker died before acking, a retry).
    for enqueue in after_commit:
        enqueue()
        enqueue()

    assert len(mailoutbox) == 1
    message = OutboxMessage.objects.get(ticket_reference=ticket.reference)
    assert message.status == OutboxStatus.SENT
    assert message.attempts == 1
    assert send_outbox_message.delay(message.pk).get() is False


def test_a_redelivered_event_queues_no_second_message(opened, mailoutbox):
    event = opened.events.get(kind="created")
    assert notifications_queue_for_event(event=event) == []
    assert OutboxMessage.objects.filter(dedupe_key__startswith=f"event:{event.pk}:").count() == 1


def test_notifying_a_whole_team_costs_the_same_queries_as_one_person(opened, team):
    """Whether each person may still open the ticket is read from their seats, loaded for all
    of them in one query, not one query per person."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.tickets.events import notify
    from tests.factories import agent_of

    def queries_to_notify(people) -> int:
        with CaptureQueriesContext(connection) as queries:
            notify(ticket=opened, user_ids=[p.pk for p in people], message="Heads up", source="t")
        return len(queries)

    one = [agent_of(team, email="one@example.com")]
    many = [agent_of(team, email=f"agent{n}@example.com") for n in range(6)]
    assert queries_to_notify(many) == queries_to_notify(one) + len(many) - 1  # one insert each
