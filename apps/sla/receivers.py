"""Clocks follow every ticket event, in the event's transaction."""

from django.dispatch import receiver

from apps.tickets.signals import ticket_event

from .services import clocks_react_to_event


@receiver(ticket_event, dispatch_uid="sla.clocks")
def update_clocks(sender, event, **kwargs):
    clocks_react_to_event(event=event)
