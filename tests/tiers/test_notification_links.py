"""A notification never links to a page its reader cannot open: once the ticket has moved to a
team the reader is not in, the notice says where it went instead of linking to a 404."""

import pytest
from django.urls import reverse

from apps.tickets.models import Notification
from apps.tickets.services import ticket_update
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


def notice(user, ticket, message="Needs a look"):
    return Notification.objects.create(user=user, ticket=ticket, kind="test", message=message)


def test_a_ticket_moved_to_another_team_is_named_not_linked(ticket, tier1, payments):
    notice(tier1, ticket, "SB: escalated to you")
    ticket_update(ticket=ticket, actor=None, data={"team": payments}, source="test move")

    page = signed_in(tier1).get(reverse("tiers:notifications")).content.decode()

    assert "SB: escalated to you" in page
    assert reverse("workspace:ticket", args=[ticket.reference]) not in page
    assert reverse("portal:ticket", args=[ticket.reference]) not in page
    assert f"{ticket.reference} has moved to Payments Engineering" in page


def test_links_go_where_each_reader_may_open_the_ticket(ticket, tier1, customer):
    agent_notice = notice(tier1, ticket)
    requester_notice = notice(customer, ticket)
    agent, requester = signed_in(tier1), signed_in(customer)

    agent_page = agent.get(reverse("tiers:notifications")).content.decode()
    requester_page = requester.get(reverse("tiers:notifications")).content.decode()

    # Each link opens the notice (marking it read) and goes on to the reader's ticket page.
    for client, page, mine, ticket_page in (
        (agent, agent_page, agent_notice, "workspace:ticket"),
        (requester, requester_page, requester_notice, "portal:ticket"),
    ):
        link = reverse("tiers:notification-open", args=[mine.pk])
        assert f'href="{link}"' in page
        response = client.get(link, follow=True)
        assert response.redirect_chain[-1][0] == reverse(ticket_page, args=[ticket.reference])
        assert response.status_code == 200


def test_the_holder_keeps_the_link_across_teams(ticket, tier1, payments):
    """Touch and hold: the holder follows the ticket, so the link stays."""
    from apps.tickets.tiers.services import ticket_take

    ticket_take(ticket=ticket, agent=tier1)
    held = notice(tier1, ticket)
    ticket_update(ticket=ticket, actor=None, data={"team": payments}, source="test move")
    client = signed_in(tier1)

    page = client.get(reverse("tiers:notifications")).content.decode()

    assert f'href="{reverse("tiers:notification-open", args=[held.pk])}"' in page
    assert "has moved" not in page
    opened = client.get(reverse("tiers:notification-open", args=[held.pk]))
    assert opened["Location"] == reverse("workspace:ticket", args=[ticket.reference])


def test_the_hand_backs_report_lists_only_tickets_the_lead_may_open(
    ticket, tier1, desk_lead, payments
):
    from apps.tickets.tiers.services import ticket_hand_back, ticket_take

    ticket_take(ticket=ticket, agent=tier1)
    ticket_hand_back(
        ticket=ticket, actor=tier1, note="Which till?", to_requester=True, expected_tier=1
    )
    ticket_update(ticket=ticket, actor=None, data={"team": payments}, source="test move")
    ticket.refresh_from_db()
    ticket.holder = None
    ticket.assignee = None
    ticket.save(update_fields=["holder", "assignee"])

    page = signed_in(desk_lead).get(reverse("tiers:hand-backs")).content.decode()

    # Counted, but neither linked nor named: the lead can no longer open it.
    assert ticket.reference not in page
    assert "Which till?" not in page
    assert "1 more concern" in page
