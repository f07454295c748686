"""Tickets an agent opens for someone who called, chatted or came to the desk in person.

The ticket is the requester's, as if they had written it: routed, timed and acknowledged by
e-mail (with its tracking number) like any other; the "created" event names the agent.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db.models import Q, QuerySet

from apps.accounts.models import User
from apps.accounts.services import user_get_or_create_by_email
from apps.core.errors import ApplicationError

from .events import ticket_transaction
from .models import ASSISTED_CHANNELS, Ticket
from .services import ticket_create

PEOPLE_FOUND_MAX = 8


def people_find(*, query: str) -> QuerySet[User]:
    """Active people whose name or e-mail contains ``query`` (two characters at least)."""
    query = query.strip()
    if len(query) < 2:
        return User.objects.none()
    return (
        User.objects.filter(is_active=True)
        .filter(Q(email__icontains=query) | Q(full_name__icontains=query))
        .order_by("full_name", "email")
        .only("id", "email", "full_name")[:PEOPLE_FOUND_MAX]
    )


def _requester(*, email: str, full_name: str) -> User:
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ApplicationError(
            "Give the requester's e-mail address: the ticket's updates go there.",
            field="requester_email",
        ) from None
    known = User.objects.filter(email__iexact=email).first()
    if known is not None:
        if not known.is_active:
            raise ApplicationError(
                f"{email} belongs to a deactivated account: ask an admin to reactivate it.",
                field="requester_email",
            )
        return known
    if not full_name.strip():
        raise ApplicationError(
            f"Nobody has the address {email} yet: give their name to create them.",
            field="requester_name",
        )
    return user_get_or_create_by_email(email=email, full_name=full_name)[0]


@ticket_transaction()
def ticket_create_for_caller(
    *,
    agent: User,
    requester_email: str,
    requester_name: str = "",
    channel: str,
    subject: str,
    description: str,
    category=None,
    location=None,
    product=None,
    impact: int | None = None,
    urgency: int | None = None,
    attachments: Iterable[UploadedFile] = (),
    custom: dict | None = None,
) -> Ticket:
    """Open a ticket for the person an agent is talking to, found by e-mail or created with no
    password (they can sign in later with an e-mailed link). One transaction: a ticket refused
    for its subject leaves no new account behind."""
    if not agent.is_agent:
        raise ApplicationError("Only agents open tickets for other people.")
    if channel not in ASSISTED_CHANNELS:
        raise ApplicationError(
            "Say how the request came in: phone, chat or in person.", field="channel"
        )
    requester = _requester(email=requester_email, full_name=requester_name)
    return ticket_create(
        requester=requester,
        subject=subject,
        description=description,
        channel=channel,
        category=category,
        location=location,
        product=product,
        impact=impact,
        urgency=urgency,
        attachments=attachments,
        custom=custom,
        actor=agent,
    )
