"""Recording what happened to a ticket: one function writes the event and announces it."""

from typing import Any

from .models import Ticket, TicketEvent
from .signals import ticket_event


def display(value: Any) -> Any:
    """A before/after value as people read it in the history (names, not ids)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple | set):
        return sorted(display(v) for v in value)
    return str(value)


def event_record(
    *, ticket: Ticket, kind: str, actor=None, changes: dict | None = None, data: dict | None = None
) -> TicketEvent:
    event = TicketEvent.objects.create(
        ticket=ticket, actor=actor, kind=kind, changes=changes or {}, data=data or {}
    )
    event.ticket = ticket
    ticket_event.send(sender=Ticket, event=event)
    return event
