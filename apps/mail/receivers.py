"""Queues the e-mails people should get, last of the reactions to a ticket change, so every
"notified" event the other reactions recorded is seen."""

from apps.tickets.events import ORDER, reaction

from .services import notifications_queue_for_event

MAILED_KINDS = ("created", "replied", "resolved", "notified")


def _queue(ticket, events) -> None:
    for event in events:
        notifications_queue_for_event(event=event)


def register() -> None:
    reaction("mail.notify", _queue, order=ORDER["mail"], kinds=MAILED_KINDS, needs_ids=True)
