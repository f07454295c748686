"""Listens to ticket events and queues the e-mails people should get."""

from django.dispatch import receiver

from apps.tickets.signals import ticket_event

from .services import notifications_queue_for_event


@receiver(ticket_event, dispatch_uid="mail.notify")
def queue_notifications(sender, event, **kwargs):
    notifications_queue_for_event(event=event)
