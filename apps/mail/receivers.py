"""Queues the e-mails people should get, last of the reactions to a ticket change, so every
"notified" event the other reactions recorded is seen."""

from apps.core.mailchoices import MailChoice
from apps.core.mailchoices import register as mail_choice
from apps.tickets.events import ORDER, reaction

from .services import notifications_queue_for_event

MAILED_KINDS = ("created", "replied", "resolved", "notified")

# The e-mails of a ticket's life that people may turn off (apps.core.mailchoices). The
# requester's "received" mail carries the tracking number: turned off, it is kept in-app
# (services.notifications_queue_for_event).
REQUESTS, WORK = "About my requests", "About tickets I work on"
MAIL_CHOICES = (
    MailChoice(
        "mail.request_received",
        "We received my request (with its tracking number)",
        ("ticket_received",),
        REQUESTS,
        help="Turned off, the tracking number still reaches you under Notifications.",
        order=10,
    ),
    MailChoice(
        "mail.request_reply",
        "A reply on my request, or on a request I follow",
        ("agent_replied",),
        REQUESTS,
        help="The reply is always on the request's page.",
        order=11,
    ),
    MailChoice(
        "mail.request_resolved", "My request is resolved", ("ticket_resolved",), REQUESTS, order=12
    ),
    MailChoice(
        "mail.requester_replied",
        "A requester replied on a ticket assigned to me",
        ("requester_replied",),
        WORK,
        order=23,
        shown_to=lambda user: user.is_agent,
    ),
    MailChoice(
        "mail.notified",
        "A routing rule or a colleague asks for my attention",
        ("notified",),
        WORK,
        help="Also any other notice about a ticket not covered by a choice above.",
        order=29,
        shown_to=lambda user: user.is_agent,
    ),
)


def _queue(ticket, events) -> None:
    for event in events:
        notifications_queue_for_event(event=event)


def register() -> None:
    for choice in MAIL_CHOICES:
        mail_choice(choice)
    reaction("mail.notify", _queue, order=ORDER["mail"], kinds=MAILED_KINDS, needs_ids=True)
