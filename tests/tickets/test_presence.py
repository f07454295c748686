"""Who else is on a ticket: agents' pings live in the cache for a short while, and only people
who may work the ticket can ping it or hear who is there."""

import pytest
from django.urls import reverse

from apps.tickets.presence import TTL, presence_list, presence_ping
from apps.tickets.services import ticket_create
from tests.conftest import signed_in
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(requester, team):
    ticket = ticket_create(requester=requester, subject="Till offline", description="No network.")
    ticket.team = team
    ticket.save(update_fields=["team"])
    return ticket


def test_two_agents_see_each_other_and_not_themselves(ticket, agent, lead):
    presence_ping(ticket=ticket, user=agent, state="viewing", now=1000.0)
    presence_ping(ticket=ticket, user=lead, state="replying", now=1005.0)

    seen_by_agent = presence_list(ticket=ticket, exclude=agent, now=1010.0)
    seen_by_lead = presence_list(ticket=ticket, exclude=lead, now=1010.0)

    assert [(p.name, p.state) for p in seen_by_agent] == [(lead.get_short_name(), "replying")]
    assert [(p.name, p.state) for p in seen_by_lead] == [(agent.get_short_name(), "viewing")]


def test_a_ping_expires_after_the_ttl(ticket, agent, lead):
    presence_ping(ticket=ticket, user=lead, state="viewing", now=1000.0)

    assert presence_list(ticket=ticket, exclude=agent, now=1000.0 + TTL)
    assert presence_list(ticket=ticket, exclude=agent, now=1000.0 + TTL + 1) == []


def test_a_later_ping_replaces_the_state(ticket, agent, lead):
    presence_ping(ticket=ticket, user=lead, state="replying", now=1000.0)
    presence_ping(ticket=ticket, user=lead, state="nonsense", now=1010.0)

    assert [p.state for p in presence_list(ticket=ticket, exclude=agent, now=1011.0)] == ["viewing"]


def test_the_page_pings_and_hears_who_else_is_there(ticket, agent, lead):
    url = reverse("workspace:presence", args=[ticket.reference])
    signed_in(lead).post(url, {"state": "replying"})

    response = signed_in(agent).post(url, {"state": "viewing"})

    assert response.status_code == 200
    assert f"{lead.get_short_name()} is replying" in response.content.decode()
    page = signed_in(lead).get(reverse("workspace:ticket", args=[ticket.reference]))
    assert f"{agent.get_short_name()} is viewing" in page.content.decode()


def test_outsiders_neither_ping_nor_hear(ticket, agent, other_agent, requester):
    url = reverse("workspace:presence", args=[ticket.reference])
    signed_in(agent).post(url, {"state": "replying"})

    for outsider in (other_agent, requester, UserFactory()):
        response = signed_in(outsider).post(url, {"state": "viewing"})
        assert response.status_code in (302, 404)
        assert agent.get_short_name() not in response.content.decode()
    assert [p.user_id for p in presence_list(ticket=ticket, now=None)] == [agent.pk]


def test_the_requester_portal_shows_no_presence(ticket, agent, requester):
    presence_ping(ticket=ticket, user=agent, state="replying")

    html = signed_in(requester).get(reverse("portal:ticket", args=[ticket.reference]))

    assert "is replying" not in html.content.decode()
    assert 'id="presence"' not in html.content.decode()
