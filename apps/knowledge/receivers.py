"""Reacting to tickets: a new ticket cancels provisional deflections; resolving (or reopening) a
ticket with a sent article updates "resolved by documentation"."""

from apps.tickets.events import ORDER, reaction

from .services import deflections_cancel_for_ticket, ticket_resolution_changed

RESOLUTION_KINDS = ("resolved", "reopened", "closed")


def _react(ticket, events) -> None:
    kinds = {e.kind for e in events}
    if "created" in kinds:
        deflections_cancel_for_ticket(ticket=ticket)
    if kinds & set(RESOLUTION_KINDS):
        ticket_resolution_changed(ticket=ticket)


def register() -> None:
    reaction(
        "knowledge.ticket", _react, order=ORDER["knowledge"], kinds=["created", *RESOLUTION_KINDS]
    )
