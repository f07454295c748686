"""The life of a ticket through the services: opened, answered, noted, resolved, reopened."""

import pytest

from apps.core.errors import ApplicationError
from apps.tickets import extensions
from apps.tickets.models import Status, TicketEvent
from apps.tickets.services import comment_add, ticket_create, ticket_take, ticket_update

pytestmark = pytest.mark.django_db


def open_ticket(requester, lookups, **extra):
    return ticket_create(
        requester=requester,
        subject="Cannot sign in to the till",
        description="Since this morning the POS says 'user locked'.",
        **lookups,
        **extra,
    )


def test_a_new_ticket_has_a_tracking_number_and_lands_in_triage(requester, lookups, triage_team):
    ticket = open_ticket(requester, lookups)
    assert ticket.reference == f"SB-{10000 + ticket.pk}"
    assert ticket.status == Status.NEW
    assert ticket.team == triage_team
    assert list(ticket.events.values_list("kind", flat=True)) == ["created"]


def test_empty_subject_is_refused_with_the_field_named(requester, lookups):
    with pytest.raises(ApplicationError) as error:
        ticket_create(requester=requester, subject="  ", description="x", **lookups)
    assert error.value.field == "subject"


def test_agent_reply_opens_the_ticket_and_counts_as_first_response(requester, agent, team, lookups):
    ticket = open_ticket(requester, lookups)
    ticket_update(ticket=ticket, actor=agent, data={"team": team})
    comment_add(ticket=ticket, author=agent, body="Unlocked your account, try again.")
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.first_response_at is not None


def test_requester_cannot_add_an_internal_note(requester, lookups):
    ticket = open_ticket(requester, lookups)
    with pytest.raises(ApplicationError, match="Only agents"):
        comment_add(ticket=ticket, author=requester, body="psst", internal=True)


def test_a_requester_reply_reopens_a_resolved_ticket(requester, agent, team, lookups):
    ticket = open_ticket(requester, lookups)
    ticket_update(ticket=ticket, actor=agent, data={"team": team, "status": Status.RESOLVED})
    assert ticket.resolved_at is not None
    comment_add(ticket=ticket, author=requester, body="Still broken, sorry.")
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.resolved_at is None
    assert ticket.events.filter(kind="reopened").count() == 1


def test_changes_are_recorded_with_before_and_after(requester, agent, team, lookups):
    ticket = open_ticket(requester, lookups)
    ticket_update(ticket=ticket, actor=agent, data={"team": team, "priority": 4, "tags": ["pos"]})
    event = ticket.events.get(kind="changed")
    assert event.actor == agent
    assert event.changes["priority"] == {"before": 2, "after": 4}
    assert event.changes["team"]["after"] == "Service Desk"
    assert event.changes["tags"] == {"before": [], "after": ["pos"]}


def test_events_cannot_be_edited_or_deleted(requester, lookups):
    ticket = open_ticket(requester, lookups)
    event = ticket.events.get()
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        TicketEvent.objects.filter(pk=event.pk).update(kind="x")
    with pytest.raises(TypeError):
        event.delete()


def test_a_resolve_guard_blocks_resolution_with_its_reason(requester, agent, team, lookups):
    ticket = open_ticket(requester, lookups)
    ticket_update(ticket=ticket, actor=agent, data={"team": team})
    extensions.resolve_guard("test", lambda t: ["subtask “Fix data” is open"])
    try:
        with pytest.raises(ApplicationError, match="Fix data"):
            ticket_update(ticket=ticket, actor=agent, data={"status": Status.RESOLVED})
    finally:
        extensions._resolve_guards.pop("test")
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


def test_only_agents_of_the_team_can_take_a_ticket(requester, agent, other_agent, team, lookups):
    ticket = open_ticket(requester, lookups)
    ticket_update(ticket=ticket, actor=agent, data={"team": team})
    with pytest.raises(ApplicationError):
        ticket_take(ticket=ticket, agent=other_agent)
    ticket_take(ticket=ticket, agent=agent)
    assert ticket.assignee == agent
    assert ticket.status == Status.OPEN


def test_assignee_must_be_an_agent(requester, agent, team, lookups):
    ticket = open_ticket(requester, lookups)
    with pytest.raises(ApplicationError) as error:
        ticket_update(ticket=ticket, actor=agent, data={"assignee": requester.pk})
    assert error.value.field == "assignee"
