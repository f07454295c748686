"""Writes about time spent: an entry priced at the ticket's team's rate, and the rule that a
team may require one on every reply and note."""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Sum

from apps.accounts.models import User
from apps.core.durations import minutes_from_text
from apps.core.errors import ApplicationError

from ..models import Comment, Ticket
from .models import TimeEntry

CENT = Decimal("0.01")


def time_required(ticket: Ticket) -> bool:
    return bool(ticket.team_id) and ticket.team.time_entry == "required"


def time_asked(ticket: Ticket) -> bool:
    return not ticket.team_id or ticket.team.time_entry != "off"


def time_entry_add(
    *,
    ticket: Ticket,
    person: User,
    spent: str | int | None,
    comment: Comment | None = None,
    subtask_id: int | None = None,
    required: bool = False,
) -> TimeEntry | None:
    """Record what ``spent`` says ("25m", "1h30" or minutes); nothing when it is empty, unless
    ``required``. Called in the transaction of the reply, note or subtask it belongs to."""
    minutes = spent if isinstance(spent, int) else minutes_from_text(spent or "")
    if minutes is None:
        if required:
            raise ApplicationError(
                f"{ticket.team} logs time on every reply and note: say how long it took "
                "(e.g. 25m).",
                field="time_spent",
            )
        return None
    rate = ticket.team.hourly_cost if ticket.team_id else None
    cost = (Decimal(minutes) * (rate or 0) / 60).quantize(CENT, rounding=ROUND_HALF_UP)
    return TimeEntry.objects.create(
        ticket=ticket,
        person=person,
        minutes=minutes,
        team_id=ticket.team_id,
        cost=cost,
        comment=comment,
        subtask_id=subtask_id,
    )


def time_totals(ticket: Ticket) -> dict:
    """``{"minutes": …, "cost": …}`` spent on the ticket so far."""
    totals = TimeEntry.objects.filter(ticket=ticket).aggregate(m=Sum("minutes"), c=Sum("cost"))
    return {"minutes": totals["m"] or 0, "cost": totals["c"] or Decimal("0")}
