"""Route every new ticket, whatever channel it came in by."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from apps.tickets.models import EventKind
from apps.tickets.signals import ticket_event

from .models import Rule


@receiver(ticket_event, dispatch_uid="routing.route_new_ticket")
def route_new_ticket(sender, event, **kwargs):
    if event.kind == EventKind.CREATED:
        from .services import routing_evaluate

        routing_evaluate(ticket=event.ticket, trigger="created")


@receiver([post_save, post_delete], sender=Rule, dispatch_uid="routing.rules_changed")
def rules_changed(sender, **kwargs):
    """Edits that bypass the services (shell, bulk admin edits) still reach every process."""
    from django.db import transaction

    from .engine import bump_version

    bump_version()
    transaction.on_commit(bump_version)
