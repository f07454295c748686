"""The signed one-click rating link of the "ticket resolved" e-mail.

The payload names the ticket, its requester, the score the link preselects ("" for "add a
comment") and the instant the ticket was resolved: reopening clears that instant and resolving
again sets a new one, so a link of an earlier resolution stops working. A link lives as long as a
rating may be changed (``CHANGEABLE_FOR``); within that, every use changes the ticket's one
rating.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.urls import reverse

from apps.accounts.models import User
from apps.core import signing
from apps.core.errors import ApplicationError
from apps.tickets.models import Status, Ticket

from .models import Score

SALT = "switchboard.rating-link"
CHANGEABLE_FOR = timedelta(days=7)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def finished_at(ticket: Ticket) -> datetime | None:
    """When the ticket was resolved (or closed without being resolved); None while active."""
    if ticket.status not in (Status.RESOLVED, Status.CLOSED):
        return None
    return ticket.resolved_at or ticket.closed_at


def _stamp(moment: datetime) -> int:
    """Microseconds since the epoch: exact, whatever time zone the datetime is in."""
    return (moment - _EPOCH) // timedelta(microseconds=1)


def rating_token(*, ticket: Ticket, person: User, score: str = "") -> str:
    done = finished_at(ticket)
    if done is None:
        raise ValueError(f"{ticket.reference} is not resolved: there is nothing to rate")
    payload = {"t": ticket.pk, "u": person.pk, "s": score, "r": _stamp(done)}
    return signing.make_token(salt=SALT, payload=payload)


def rating_url(*, ticket: Ticket, person: User, score: str = "") -> str:
    token = rating_token(ticket=ticket, person=person, score=score)
    return settings.SITE_URL + reverse("reviews:rating_link", args=[token])


@dataclass(frozen=True)
class LinkTarget:
    ticket: Ticket
    person: User
    score: str  # what the link preselects: "good", "bad" or ""


def rating_link_read(*, token: str) -> LinkTarget:
    """The ticket, person and score a link is for, or ApplicationError with code "expired" (a
    genuine link older than a rating may be changed) or "invalid" (altered, not a rating link,
    or no longer about this resolution, requester or person)."""
    try:
        payload = signing.read_token(token, salt=SALT, max_age=int(CHANGEABLE_FOR.total_seconds()))
    except signing.LinkExpired:
        raise ApplicationError(
            "This rating link has expired: a rating can be given or changed for "
            f"{CHANGEABLE_FOR.days} days after we resolve a request.",
            code="expired",
        ) from None
    except signing.LinkInvalid:
        raise ApplicationError("This link is not valid.", code="invalid") from None
    if not isinstance(payload, dict) or not {"t", "u", "s", "r"} <= payload.keys():
        raise ApplicationError("This link is not valid.", code="invalid")
    ticket = (
        Ticket.objects.select_related("requester", "team", "assignee")
        .filter(pk=payload["t"])
        .first()
    )
    person = User.objects.filter(pk=payload["u"], is_active=True).first()
    if ticket is None or person is None or ticket.requester_id != person.pk:
        raise ApplicationError("This link is not valid.", code="invalid")
    done = finished_at(ticket)
    if done is None or _stamp(done) != payload["r"]:
        raise ApplicationError(
            f"{ticket.reference} was reopened since this e-mail was sent, so this link no "
            "longer works. When it is resolved again, the new e-mail has fresh links.",
            code="invalid",
        )
    score = payload["s"] if payload["s"] in Score.values else ""
    return LinkTarget(ticket=ticket, person=person, score=score)
