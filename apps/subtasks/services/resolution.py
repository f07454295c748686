"""What becomes of subtasks still open when their ticket is resolved: the person resolving
decides — cancel them and tell their assignees, or leave them open on purpose, on the record."""

from apps.accounts.models import User
from apps.tickets.events import event_record
from apps.tickets.models import Ticket

from .. import events
from ..models import OPEN_STATUSES, Status, Subtask
from ..notifications import subtask_cancelled_mail_queue
from .subtasks import subtask_transition

CANCEL, KEEP = "cancel", "keep"
CHOICES = (
    (CANCEL, "Cancel them and tell their assignees, with a note"),
    (KEEP, "Leave them open on purpose"),
)
DEFAULT_NOTE = "The ticket was resolved, so this task is no longer needed."


def _open(ticket: Ticket) -> list[Subtask]:
    # Blocking ones are open here only under a lead's override; they are asked about alike.
    return list(
        Subtask.objects.filter(ticket=ticket, status__in=OPEN_STATUSES)
        .select_related("ticket", "kind", "assignee_user", "assignee_team")
        .order_by("created_at", "id")
    )


def open_subtasks_question(ticket: Ticket) -> str:
    """The question resolving this ticket asks, or "" when no subtask is open."""
    titles = [f"“{s.title}” ({s.assignee or 'unassigned'})" for s in _open(ticket)]
    if not titles:
        return ""
    many = len(titles) > 1
    return (
        f"{len(titles)} subtask{'s are' if many else ' is'} still open: {', '.join(titles)}. "
        f"Cancel {'them' if many else 'it'} (the assignees are told), "
        f"or leave {'them' if many else 'it'} open on purpose?"
    )


def open_subtasks_settle(*, ticket: Ticket, answer: str, note: str, actor: User | None) -> None:
    """Carry out the decision, in the resolving change (after the ticket's own event)."""
    still_open = _open(ticket)
    if not still_open:
        return
    titles = [s.title for s in still_open]
    if answer == KEEP:
        event_record(
            ticket=ticket, payload=events.KeptOpen(open_subtasks=titles, note=note), actor=actor
        )
        return
    note = note or DEFAULT_NOTE
    cancelled = []
    for subtask in still_open:
        if subtask_transition(subtask=subtask, actor=actor, status=Status.WONT_DO, note=note):
            subtask_cancelled_mail_queue(subtask=subtask, note=note)
            cancelled.append(subtask.title)
    event_record(
        ticket=ticket,
        payload=events.Cancelled(cancelled_subtasks=cancelled, note=note),
        actor=actor,
    )
