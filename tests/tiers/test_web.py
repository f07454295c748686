"""The agent's tier panel, its dialogs, "Held by me" and the notifications page."""

import pytest
from django.urls import reverse

from apps.tickets.models import Escalation, Notification
from apps.tickets.services import ticket_update
from apps.tickets.tiers.services import ticket_escalate, ticket_take
from tests.conftest import signed_in
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def ticket_url(ticket):
    return reverse("workspace:ticket", args=[ticket.reference])


def test_the_ticket_page_shows_tier_badge_time_strip_and_dialogs(ticket, tier1):
    ticket_take(ticket=ticket, agent=tier1)

    page = signed_in(tier1).get(ticket_url(ticket)).content.decode()

    assert 'id="tiers-panel"' in page
    assert "tier-strip" in page
    assert "Service Desk tier 2" in page  # where Escalate goes
    assert "Hand back…" in page  # to the requester, from tier 1
    assert "Tariq Haddad" in page  # holder


def test_escalating_without_the_checklist_reopens_the_dialog_naming_what_is_missing(
    ticket, tier2, path
):
    client = signed_in(tier2)
    ticket_update(ticket=ticket, actor=tier2, data={"tier": 2}, allow_tier=True)  # set-up

    response = client.post(
        reverse("tiers:escalate", args=[ticket.reference]),
        {
            "expected_tier": 2,
            "expected_team": ticket.team_id,
            "reason": "Bug",
            "checklist_steps": "Pay",
        },
        HTTP_HX_REQUEST="true",
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert '<details class="tier-dialog action-menu" data-shortcut="escalate" open>' in html
    assert "needs this before it takes the ticket: “Affected order id”." in html
    assert "\nPay</textarea>" in html  # what was typed is kept
    ticket.refresh_from_db()
    assert ticket.tier == 2


def test_escalating_from_the_dialog_moves_the_ticket(ticket, tier1, tier2):
    response = signed_in(tier1).post(
        reverse("tiers:escalate", args=[ticket.reference]),
        {"expected_tier": 1, "expected_team": ticket.team_id, "reason": "Refund override"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 204
    assert response["HX-Redirect"] == ticket_url(ticket)  # Service Desk still sees it
    ticket.refresh_from_db()
    assert ticket.tier == 2


def test_hand_back_from_the_dialog(ticket, tier1, tier2):
    ticket_escalate(ticket=ticket, expected_tier=ticket.tier, actor=tier1, reason="Refund override")

    response = signed_in(tier2).post(
        reverse("tiers:hand-back", args=[ticket.reference]),
        {
            "expected_tier": 2,
            "expected_team": ticket.team_id,
            "to_requester": "0",
            "note": "Which store?",
        },
    )

    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.tier, ticket.assignee) == (1, None)


def test_someone_who_cannot_work_the_ticket_gets_404(ticket, customer, developer):
    for user in (customer, developer):
        response = signed_in(user).post(
            reverse("tiers:escalate", args=[ticket.reference]), {"reason": "x", "expected_tier": 1}
        )
        assert response.status_code in (302, 404)
        if response.status_code == 302:  # requesters are sent to their own requests
            assert response["Location"] == reverse("portal:tickets")
    ticket.refresh_from_db()
    assert ticket.tier == 1


def test_held_by_me_lists_held_tickets_in_a_fixed_number_of_queries(
    desk, payments, tier1, django_assert_max_num_queries
):
    for i in range(12):
        TicketFactory(team=payments if i % 2 else desk, tier=3 if i % 2 else 1, holder=tier1)
    TicketFactory(team=desk)  # not held
    client = signed_in(tier1)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("tiers:held"))

    assert response.status_code == 200
    assert response.content.decode().count('class="ref"') == 12


def test_notifications_list_and_mark_read(ticket, tier1, tier2):
    ticket_take(ticket=ticket, agent=tier1)
    ticket_escalate(ticket=ticket, expected_tier=ticket.tier, actor=tier1, reason="Refund override")
    client = signed_in(tier2)

    page = client.get(reverse("tiers:notifications")).content.decode()
    assert "was escalated to Service Desk tier 2 by Tariq Haddad" in page

    client.post(reverse("tiers:notifications-read"))
    assert not Notification.objects.filter(user=tier2, read_at__isnull=True).exists()


def test_the_queue_shows_the_holder_and_filters_by_tier(
    desk, tier1, tier2, django_assert_max_num_queries
):
    for i in range(6):
        TicketFactory(team=desk, tier=2 if i % 2 else 1, holder=tier1)
    client = signed_in(tier2)
    client.get(reverse("workspace:queue"))  # lists read their lookups once per process

    with django_assert_max_num_queries(15):
        response = client.get(reverse("workspace:queue"), {"flag": "tier-2"})

    html = response.content.decode()
    assert html.count('class="ref"') == 3
    assert html.count('<td class="col-holder small">Tariq Haddad') == 3


def test_leads_see_hand_backs_by_team_in_a_fixed_number_of_queries(
    ticket, desk_lead, tier1, tier2, django_assert_max_num_queries
):
    from apps.tickets.tiers.services import ticket_hand_back

    ticket_escalate(ticket=ticket, expected_tier=ticket.tier, actor=tier1, reason="Refund override")
    ticket_hand_back(
        ticket=ticket, expected_tier=ticket.tier, actor=tier2, note="Which store is it?"
    )
    client = signed_in(desk_lead)

    with django_assert_max_num_queries(10):
        response = client.get(reverse("tiers:hand-backs"))

    html = response.content.decode()
    assert "Which store is it?" in html
    assert '<td>Service Desk</td><td class="right">1</td>' in html


def test_the_dialog_sends_the_tier_the_agent_saw_and_a_stale_page_is_refused(ticket, tier1b, tier2):
    page = signed_in(tier2).get(ticket_url(ticket)).content.decode()
    assert 'name="expected_tier" value="1"' in page
    ticket_escalate(ticket=ticket, expected_tier=1, actor=tier1b, reason="Refund override")

    # Sofia's page still shows tier 1: her click must not move the ticket on to tier 3.
    response = signed_in(tier2).post(
        reverse("tiers:escalate", args=[ticket.reference]),
        {"expected_tier": 1, "expected_team": ticket.team_id, "reason": "Me too"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    assert "This ticket is already at tier 2, not tier 1 as you saw it" in (
        response.content.decode()
    )
    ticket.refresh_from_db()
    assert ticket.tier == 2
    assert Escalation.objects.filter(ticket=ticket).count() == 1
