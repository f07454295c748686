"""The history on the agent's ticket page names people, never shows their ids."""

import pytest
from django.urls import reverse

from apps.tickets.actions import action_apply
from apps.tickets.services import ticket_create, ticket_update

pytestmark = pytest.mark.django_db


def test_a_notification_in_the_history_names_who_it_went_to(
    requester, agent, lead, team, lookups, agent_client
):
    ticket = ticket_create(requester=requester, subject="Till offline", description="No network.")
    ticket_update(ticket=ticket, actor=agent, data={"team": team})
    action_apply(name="notify", ticket=ticket, params={"users": [lead.pk]}, actor=agent)

    page = agent_client.get(reverse("workspace:ticket", args=[ticket.reference])).content.decode()

    assert "Lee Lead notified by " in page
    assert "User ids" not in page
