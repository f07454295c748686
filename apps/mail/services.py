"""Ticket notifications: decide who hears about a ticket event, render, and store in the outbox.

Rendering happens here, in the event's transaction, so the message says what was true when the
event happened; sending (once, with retries) is the outbox's job in ``apps.core.outbox``.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from apps.accounts.models import User, with_seats
from apps.core.mailchoices import mail_wanted
from apps.core.models import OutboxMessage
from apps.core.outbox import mail_domain, outbox_enqueue
from apps.tickets import extensions
from apps.tickets.models import EventKind, Notification, TicketEvent
from apps.tickets.permissions import ticket_page_for
from apps.tickets.tiers.services import notification_send


def ticket_url_for(person: User, ticket) -> str:
    """The page this person may open the ticket on, or "" when they may not (any more): the
    e-mail then says where the ticket went instead of linking to "No such ticket"."""
    page = ticket_page_for(person, ticket)
    return settings.SITE_URL + reverse(page, args=[ticket.reference]) if page else ""


def _recipients(event: TicketEvent) -> list[tuple[str, User]]:
    """(kind, person) pairs that should hear about this event."""
    ticket = event.ticket
    if event.kind == EventKind.CREATED:
        return [("ticket_received", ticket.requester)]
    if event.kind == EventKind.REPLIED:
        if event.data.get("by_agent"):
            return [("agent_replied", person) for person in _requesters(ticket, event)]
        # The requester's answer reaches the followers, a follower's the requester, as CCs do.
        told = [("agent_replied", person) for person in _requesters(ticket, event)]
        if ticket.assignee_id and ticket.assignee_id != event.actor_id:
            told.append(("requester_replied", ticket.assignee))
        return told
    if event.kind == EventKind.RESOLVED:
        return [("ticket_resolved", person) for person in _requesters(ticket, event)]
    if event.kind == "notified":
        users = User.objects.filter(pk__in=event.data.get("user_ids", []), is_active=True)
        # Their seats decide whether each may open the ticket: one query for all of them.
        return [("notified", user) for user in with_seats(users).order_by("pk")]
    return []


def _requesters(ticket, event: TicketEvent) -> list[User]:
    """The requester and the ticket's followers, but not whoever wrote the message."""
    followers = User.objects.filter(followed_tickets__ticket=ticket, is_active=True)
    people = [ticket.requester, *followers.order_by("pk")]
    return [person for person in people if person.pk != event.actor_id]


def _render(kind: str, event: TicketEvent, person: User, comment) -> tuple[str, str]:
    ticket = event.ticket
    # What feature apps add to this kind of message (a rating link): the template places it,
    # or it goes at the end.
    additions = extensions.mail_additions(kind, ticket=ticket, person=person, event=event)
    context = {
        "ticket": ticket,
        "event": event,
        "person": person,
        "url": ticket_url_for(person, ticket),
        "comment": comment,
        "additions": additions,
    }
    subject = render_to_string(f"mail/{kind}_subject.txt", context).strip()
    body = render_to_string(f"mail/{kind}.txt", context)
    if additions and additions not in body:
        body = body.rstrip("\n") + "\n\n" + additions
    return f"[{ticket.reference}] {subject}", body


def _headers(event: TicketEvent) -> dict[str, str]:
    reference, domain = event.ticket.reference, mail_domain()
    # The outbox gives each message its own signed Message-ID and Reply-To (apps.core.mailthread).
    return {
        # Replies thread on the ticket's first message, whatever the mail client.
        "In-Reply-To": f"<{reference}@{domain}>",
        "References": f"<{reference}@{domain}>",
        "X-Switchboard-Ticket": reference,
    }


def _received_in_app(ticket, person: User) -> None:
    """The tracking number must reach the requester somewhere: in-app, when they turned the
    e-mail off. Once per ticket, however often the event is delivered."""
    if Notification.objects.filter(ticket=ticket, user=person, kind="ticket_received").exists():
        return
    notification_send(
        ticket=ticket,
        users=[person],
        kind="ticket_received",
        message=f"We received your request “{ticket.subject}”. Its tracking number is "
        f"{ticket.reference}.",
        email=False,
    )


def notifications_queue_for_event(*, event: TicketEvent) -> list[OutboxMessage]:
    """Store one message per recipient in the event's transaction; the outbox sends it after
    commit. A re-delivered event stores nothing new (the dedupe key names event and person)."""
    queued = []
    comment_id = event.data.get("comment_id")
    comment = event.ticket.comments.filter(pk=comment_id).first() if comment_id else None
    topic = event.data.get("source") or ""  # what a "notified" event is about
    for kind, person in _recipients(event):
        if not person.takes_mail:
            continue  # no address, or it bounced: mail would only bounce again
        if kind == "ticket_received" and not mail_wanted(
            kind=kind, to=person.email, recipient=person
        ):
            _received_in_app(event.ticket, person)
            continue
        subject, body = _render(kind, event, person, comment)
        message = outbox_enqueue(
            kind=kind,
            to=person.email,
            subject=subject,
            body=body,
            headers=_headers(event),
            dedupe_key=f"event:{event.pk}:{kind}:{person.email.lower()}",
            ticket_reference=event.ticket.reference,
            thread=f"ticket:{event.ticket_id}",
            topic=topic if kind == "notified" else "",
            recipient=person,
        )
        if message is not None:
            queued.append(message)
    return queued
