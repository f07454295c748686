"""Reacting to tickets: a new ticket cancels provisional deflections; resolving (or reopening) a
ticket with a sent article updates "resolved by documentation"."""

from django.dispatch import receiver

from apps.tickets.signals import ticket_event

from .services import deflections_cancel_for_ticket, ticket_resolution_changed


@receiver(ticket_event, dispatch_uid="knowledge.react")
def on_ticket_event(sender, event, **kwargs):
    if event.kind == "created":
        deflections_cancel_for_ticket(ticket=event.ticket)
    elif event.kind in ("resolved", "reopened", "closed"):
        ticket_resolution_changed(ticket=event.ticket)
