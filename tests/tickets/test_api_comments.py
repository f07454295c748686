"""The thread through the API: replies both ways, internal notes the requester never gets."""

import pytest

from apps.tickets.models import Channel, Status
from apps.tickets.services import comment_add, ticket_update

from .api_support import api_as, queued_ticket, tickets_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(requester, team):
    return queued_ticket(requester, team)


def test_an_agent_replies_and_adds_a_note(ticket, agent, requester):
    client = api_as(agent)
    reply = client.post(
        tickets_url(ticket, "comments"), {"body": "Restart the till, please."}, format="json"
    )
    note = client.post(
        tickets_url(ticket, "comments"),
        {"body": "Third time at this store: hardware?", "is_internal": True},
        format="json",
    )
    assert reply.status_code == note.status_code == 201
    assert reply.json()["author"] == {"id": agent.pk, "name": "Alex Agent"}
    assert note.json()["is_internal"] is True
    assert ticket.comments.get(pk=reply.json()["id"]).channel == Channel.API
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN  # the first public reply opened it
    assert list(ticket.events.values_list("kind", flat=True)).count("note_added") == 1


def test_the_requester_never_gets_internal_notes(ticket, agent, requester):
    comment_add(ticket=ticket, author=agent, body="We are on it.")
    comment_add(ticket=ticket, author=agent, body="Probably the cable again.", internal=True)
    as_requester = api_as(requester).get(tickets_url(ticket, "comments")).json()["results"]
    as_agent = api_as(agent).get(tickets_url(ticket, "comments")).json()["results"]
    assert [c["body"] for c in as_requester] == ["We are on it."]
    assert [c["is_internal"] for c in as_agent] == [False, True]


def test_a_requester_replies_and_reopens_a_resolved_ticket(ticket, agent, requester):
    ticket_update(ticket=ticket, actor=agent, data={"status": Status.RESOLVED})
    response = api_as(requester).post(
        tickets_url(ticket, "comments"), {"body": "Still broken, sorry."}, format="json"
    )
    assert response.status_code == 201
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN


def test_a_requester_cannot_write_an_internal_note(ticket, requester):
    response = api_as(requester).post(
        tickets_url(ticket, "comments"), {"body": "psst", "is_internal": True}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"is_internal": ["Only agents can add internal notes."]}
    assert not ticket.comments.exists()


def test_an_empty_message_or_a_closed_ticket_is_refused_with_the_field(ticket, agent):
    client = api_as(agent)
    empty = client.post(tickets_url(ticket, "comments"), {"body": "  "}, format="json")
    assert empty.status_code == 400
    assert list(empty.json()) == ["body"]
    ticket_update(ticket=ticket, actor=agent, data={"status": Status.CLOSED})
    closed = client.post(tickets_url(ticket, "comments"), {"body": "One more thing"}, format="json")
    assert closed.status_code == 400
    assert "closed" in closed.json()["body"][0]


def test_someone_elses_thread_does_not_exist(ticket, other_requester, other_agent):
    for stranger in (other_requester, other_agent):
        client = api_as(stranger)
        assert client.get(tickets_url(ticket, "comments")).status_code == 404
        posted = client.post(tickets_url(ticket, "comments"), {"body": "hi"}, format="json")
        assert posted.status_code == 404
    assert not ticket.comments.exists()


def test_the_thread_costs_the_same_queries_however_long(
    ticket, agent, requester, django_assert_max_num_queries
):
    client = api_as(agent)
    counts = []
    for _ in range(2):
        for n in range(6):
            comment_add(ticket=ticket, author=agent, body=f"Note {n}", internal=n % 2 == 0)
        with django_assert_max_num_queries(8) as captured:
            client.get(tickets_url(ticket, "comments"))
        counts.append(len(captured))
    assert counts[0] == counts[1]
