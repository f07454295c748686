"""Outbound notifications: decide who hears about a ticket event, and send each message once."""

from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.tickets.models import EventKind, TicketEvent

from .models import OutboundMessage

# A claim older than this is taken to belong to a worker that died mid-send.
CLAIM_TIMEOUT = timedelta(minutes=5)


def ticket_url(ticket, *, for_agent: bool) -> str:
    name = "workspace:ticket" if for_agent else "portal:ticket"
    return settings.SITE_URL + reverse(name, args=[ticket.reference])


def _recipients(event: TicketEvent) -> list[tuple[str, User]]:
    """(kind, person) pairs that should hear about this event."""
    ticket = event.ticket
    if event.kind == EventKind.CREATED:
        return [("ticket_received", ticket.requester)]
    if event.kind == EventKind.REPLIED:
        if event.data.get("by_agent"):
            return [("agent_replied", ticket.requester)]
        if ticket.assignee_id and ticket.assignee_id != event.actor_id:
            return [("requester_replied", ticket.assignee)]
    if event.kind == EventKind.RESOLVED:
        return [("ticket_resolved", ticket.requester)]
    if event.kind == "notified":
        users = User.objects.filter(pk__in=event.data.get("user_ids", []), is_active=True)
        return [("notified", user) for user in users]
    return []


def _render(kind: str, event: TicketEvent, person: User) -> tuple[str, str]:
    ticket = event.ticket
    for_agent = person.pk != ticket.requester_id
    context = {
        "ticket": ticket,
        "event": event,
        "person": person,
        "url": ticket_url(ticket, for_agent=for_agent),
        "comment": ticket.comments.filter(pk=event.data.get("comment_id")).first(),
    }
    subject = render_to_string(f"mail/{kind}_subject.txt", context).strip()
    body = render_to_string(f"mail/{kind}.txt", context)
    return f"[{ticket.reference}] {subject}", body


def notifications_queue_for_event(*, event: TicketEvent) -> list[OutboundMessage]:
    """Store one message per recipient now, in the event's transaction, and send after commit."""
    from .tasks import send_outbound_message

    queued = []
    for kind, person in _recipients(event):
        subject, body = _render(kind, event, person)
        try:
            with transaction.atomic():
                message = OutboundMessage.objects.create(
                    ticket=event.ticket,
                    event=event,
                    kind=kind,
                    to=person.email,
                    subject=subject[:255],
                    body=body,
                )
        except IntegrityError:
            continue  # already queued for this event and person
        queued.append(message)
        transaction.on_commit(lambda pk=message.pk: send_outbound_message.delay(pk))
    return queued


def outbound_message_send(*, message_id: int) -> bool:
    """Send one stored message unless it went out already. Returns whether this call sent it.

    The conditional update is the claim: of two workers handed the same message, one updates
    the row and sends, the other updates nothing and stops.
    """
    now = timezone.now()
    claimed = OutboundMessage.objects.filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - CLAIM_TIMEOUT),
        pk=message_id,
        sent_at__isnull=True,
    ).update(claimed_at=now)
    if not claimed:
        return False
    message = OutboundMessage.objects.select_related("ticket").get(pk=message_id)
    reference = message.ticket.reference
    domain = settings.SITE_URL.split("//")[-1].split(":")[0] or "switchboard.local"
    email = EmailMessage(
        subject=message.subject,
        body=message.body,
        to=[message.to],
        headers={
            # Replies thread on the ticket's first message, whatever the mail client.
            "Message-ID": f"<{reference}.{message.pk}@{domain}>",
            "In-Reply-To": f"<{reference}@{domain}>",
            "References": f"<{reference}@{domain}>",
            "X-Switchboard-Ticket": reference,
        },
    )
    try:
        email.send()
    except Exception as exc:
        OutboundMessage.objects.filter(pk=message_id).update(
            claimed_at=None, attempts=message.attempts + 1, last_error=str(exc)[:2000]
        )
        raise
    OutboundMessage.objects.filter(pk=message_id).update(
        sent_at=timezone.now(), attempts=message.attempts + 1, last_error=""
    )
    return True
