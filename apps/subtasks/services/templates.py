"""Applying a subtask template to a ticket (an agent's click or a routing rule's action)."""

import datetime

from django.utils import timezone

from apps.accounts.models import User
from apps.core.errors import ApplicationError
from apps.tickets.events import ticket_transaction
from apps.tickets.models import Ticket

from ..models import Subtask, SubtaskTemplate
from .subtasks import subtask_create


@ticket_transaction()
def template_apply(
    *, ticket: Ticket, template: SubtaskTemplate, actor: User | None, source: str = ""
) -> list[Subtask]:
    """Add a template's subtasks; items already on the ticket are skipped, so a rule that
    fires twice (or a second click) adds nothing the second time."""
    if not template.is_active:
        raise ApplicationError(f"The template “{template}” is retired.", field="template")
    Ticket.objects.select_for_update().filter(pk=ticket.pk).first()
    present = set(
        Subtask.objects.filter(ticket=ticket, template_item__template=template).values_list(
            "template_item_id", flat=True
        )
    )
    today = timezone.localdate()
    created = []
    for item in template.items.select_related("kind", "assignee_team"):
        if item.pk in present:
            continue
        created.append(
            subtask_create(
                ticket=ticket,
                actor=actor,
                title=item.title,
                kind=item.kind,
                instructions=item.instructions,
                assignee_team=item.assignee_team if not item.assignee_email else None,
                assignee_email=item.assignee_email,
                due_date=today + datetime.timedelta(days=item.due_in_days),
                blocking=item.blocking,
                template_item=item,
                source=source,
            )
        )
    return created
