"""Route every new ticket, whatever channel it came in by; keep every process's rules current."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from apps.tickets.events import ORDER, reaction
from apps.tickets.models import EventKind

from .engine import bump_version
from .models import Rule


def register() -> None:
    from .services import routing_evaluate

    reaction(
        "routing.route_new_ticket",
        lambda ticket, events: routing_evaluate(ticket=ticket, trigger="created"),
        order=ORDER["routing"],
        kinds=[EventKind.CREATED],
    )


@receiver([post_save, post_delete], sender=Rule, dispatch_uid="routing.rules_changed")
def rules_changed(sender, **kwargs):
    """Edits that bypass the services (shell, bulk admin edits) still reach every process."""
    bump_version()
    transaction.on_commit(bump_version)
