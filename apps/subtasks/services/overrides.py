"""A team lead's override of the resolve guard, given with a reason that is recorded."""

from apps.accounts.models import User
from apps.core.errors import ApplicationError
from apps.tickets.events import event_record, ticket_transaction
from apps.tickets.models import Ticket

from ..events import Overridden
from ..models import OPEN_STATUSES, ResolveOverride, Subtask


@ticket_transaction()
def resolve_override_create(*, ticket: Ticket, lead: User, reason: str) -> ResolveOverride:
    """A lead lets the ticket resolve although blocking subtasks are open, on the record."""
    if not (lead.is_superuser or ticket.team_id in lead.led_team_ids):
        raise ApplicationError("Only a lead of this ticket's team can override.", code="forbidden")
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise ApplicationError(
            "Give the reason for resolving with work still open.", field="reason"
        )
    open_titles = list(
        Subtask.objects.filter(ticket=ticket, blocking=True, status__in=OPEN_STATUSES).values_list(
            "title", flat=True
        )
    )
    if not open_titles:
        raise ApplicationError("Nothing blocks this ticket; no override is needed.", field="reason")
    override = ResolveOverride.objects.create(ticket=ticket, lead=lead, reason=reason)
    event_record(
        ticket=ticket,
        payload=Overridden(reason=reason, open_subtasks=open_titles, override_id=override.pk),
        actor=lead,
    )
    return override
