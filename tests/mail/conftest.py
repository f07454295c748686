"""Fixtures of the mail tests: a ticket opened by the requester, already with its team."""

import pytest

from apps.tickets.services import ticket_create, ticket_update


@pytest.fixture
def opened(requester, lookups, team, agent, triage_team, django_capture_on_commit_callbacks):
    """A ticket as a requester opens it, moved to the agent's team; its mail already sent."""
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_create(
            requester=requester,
            subject="Till 3 freezes on loyalty cards",
            description="Every loyalty scan freezes the till for a minute.",
            **lookups,
        )
        ticket_update(ticket=ticket, actor=agent, data={"team": team})
    return ticket
