"""Fixtures of the subtasks tests: a ticket being worked, and people outside support."""

import re

import pytest
from django.core import mail

from apps.accounts.models import User
from apps.subtasks.models import SubtaskKind
from apps.tickets.services import comment_add, ticket_create, ticket_update
from tests.factories import UserFactory


@pytest.fixture
def kinds(db):
    # The kinds come from a data migration; a transactional test before this one may have
    # emptied the table, so make sure they are there.
    for order, name in enumerate(
        [
            "Data fix",
            "Workaround",
            "New test",
            "Master-data update",
            "Managerial escalation",
            "Other",
        ]
    ):
        SubtaskKind.objects.get_or_create(name=name, defaults={"order": order * 10})
    return {k.name: k for k in SubtaskKind.objects.all()}


@pytest.fixture
def ticket(triage_team, team, agent, requester):
    """An open ticket of the Service Desk, assigned to Alex, with a reply and a note."""
    ticket = ticket_create(
        requester=requester,
        subject="Shelf prices wrong in store 112",
        description="About 300 labels show last week's price.",
    )
    ticket_update(ticket=ticket, actor=agent, data={"team": team, "assignee": agent})
    return ticket


@pytest.fixture
def reply(ticket, agent):
    return comment_add(ticket=ticket, author=agent, body="We found the cause: a skipped import.")


@pytest.fixture
def note(ticket, agent):
    return comment_add(ticket=ticket, author=agent, body="SECRET import job 4411", internal=True)


@pytest.fixture
def collaborator(db):
    """Someone from the business with no team seat and no password."""
    return User.objects.create_user(email="dan.data@example.com", full_name="Dan Okafor")


@pytest.fixture
def other_collaborator(db):
    return UserFactory(email="olga.ops@example.com", full_name="Olga Petrova")


def link_from_mail(to: str) -> str:
    """The task link in the last e-mail sent to ``to`` (as a path the test client can open)."""
    for message in reversed(mail.outbox):
        if to in message.to:
            found = re.search(r"https?://[^/\s]+(/tasks/link/[^\s]+/)", message.body)
            assert found, message.body
            return found.group(1)
    raise AssertionError(f"no e-mail to {to}")
