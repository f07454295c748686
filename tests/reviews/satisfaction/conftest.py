"""Fixtures of the satisfaction tests: a ticket a requester opened, an agent of the team took
and resolved, and the "resolved" e-mail that went out about it."""

import re
from datetime import UTC, datetime

import pytest
import time_machine

from apps.core.models import OutboxMessage
from apps.tickets.models import Status
from apps.tickets.services import ticket_create, ticket_take, ticket_update

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
LINK = re.compile(r"https?://\S+/reviews/ratings/([^/\s]+)/")


@pytest.fixture
def clock():
    """The test's own time: travel() moves it; everything starts on T0."""
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def open_and_resolve(*, requester, agent, team, subject="Till 3 freezes on loyalty cards"):
    ticket = ticket_create(
        requester=requester, subject=subject, description="Every loyalty scan freezes it."
    )
    ticket_update(ticket=ticket, actor=agent, data={"team": team})
    ticket_take(ticket=ticket, agent=agent)
    ticket_update(ticket=ticket, actor=agent, data={"status": Status.RESOLVED})
    return ticket


@pytest.fixture
def resolved(clock, requester, agent, team, triage_team):
    return open_and_resolve(requester=requester, agent=agent, team=team)


def resolved_mail(ticket, person) -> OutboxMessage:
    return OutboxMessage.objects.filter(
        kind="ticket_resolved", ticket_reference=ticket.reference, to=person.email
    ).latest("pk")


def links_of(body: str) -> list[str]:
    """The rating links' tokens in an e-mail body, in order (good, bad, comment)."""
    return LINK.findall(body)
