"""Ratings and kudos: the writes."""

from django.db import transaction

from apps.core.errors import ApplicationError
from apps.tickets.models import Comment, Ticket

from .models import Kudos, KudosSource


def ticket_agent(ticket: Ticket):
    """The agent praise (or blame) on this ticket is for: its assignee, else its holder."""
    return ticket.assignee or ticket.holder


@transaction.atomic
def kudos_from_reply(*, comment: Comment, actor) -> Kudos:
    """Mark a requester's public reply as kudos for the ticket's agent (once per reply)."""
    ticket = comment.ticket
    if comment.is_internal or comment.author_id != ticket.requester_id:
        raise ApplicationError("Only a requester's public reply can be kudos.", field="comment")
    kudos, _ = Kudos.objects.get_or_create(
        comment=comment,
        defaults={
            "ticket": ticket,
            "agent": ticket_agent(ticket),
            "team": ticket.team,
            "source": KudosSource.REPLY,
            "text": comment.body,
            "marked_by": actor,
        },
    )
    return kudos
