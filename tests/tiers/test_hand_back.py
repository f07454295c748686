"""Handing a ticket back to the tier before, or to the requester, naming what was missing."""

import pytest

from apps.core.errors import ApplicationError
from apps.tickets.models import Comment, HandBack, Notification, Status
from apps.tickets.services import comment_add, ticket_update
from apps.tickets.tiers.selectors import hand_back_counts_by_team
from apps.tickets.tiers.services import ticket_escalate, ticket_hand_back, ticket_take

pytestmark = pytest.mark.django_db


@pytest.fixture
def at_tier3(ticket, tier1, tier2, developer, path):
    """Tariq accepted it, escalated to Sofia's tier, who escalated it to Payments."""
    ticket_take(ticket=ticket, agent=tier1)
    ticket_escalate(ticket=ticket, expected_tier=ticket.tier, actor=tier1, reason="Refund override")
    ticket_take(ticket=ticket, agent=tier2)
    ticket_escalate(
        ticket=ticket,
        expected_tier=ticket.tier,
        actor=tier2,
        reason="Bug",
        values={"steps": "Pay with Visa", "order_id": "n/a"},
    )
    return ticket


def test_tier_three_hands_back_to_the_agent_who_escalated_it(at_tier3, desk, tier2, developer):
    hand_back = ticket_hand_back(
        ticket=at_tier3,
        expected_tier=at_tier3.tier,
        actor=developer,
        missing=["order_id"],
        note="“n/a” is not an order.",
    )

    at_tier3.refresh_from_db()
    assert (at_tier3.team, at_tier3.tier, at_tier3.assignee) == (desk, 2, tier2)
    assert hand_back.missing == ["Affected order id"]
    assert (hand_back.from_tier, hand_back.to_team, hand_back.to_tier) == (3, desk, 2)
    event = at_tier3.events.get(kind="handed_back")
    assert event.data["to"] == "Service Desk tier 2"
    assert event.data["note"] == "“n/a” is not an order."
    assert at_tier3.tier_time.hand_backs == 1
    notice = Notification.objects.get(user=tier2, kind="handed_back")
    assert "Affected order id" in notice.message


def test_hand_backs_are_counted_per_ticket_and_per_team(at_tier3, desk, tier1, tier2, developer):
    ticket_hand_back(
        ticket=at_tier3, expected_tier=at_tier3.tier, actor=developer, missing=["order_id"]
    )
    ticket_hand_back(
        ticket=at_tier3, expected_tier=at_tier3.tier, actor=tier2, note="Which till? Which store?"
    )

    at_tier3.refresh_from_db()
    assert at_tier3.tier == 1
    assert at_tier3.assignee == tier1
    assert at_tier3.hand_backs.count() == 2
    assert at_tier3.tier_time.hand_backs == 2
    counts = {row["to_team__name"]: row["count"] for row in hand_back_counts_by_team()}
    assert counts == {"Service Desk": 2}


def test_the_holder_stays_when_the_ticket_comes_back(at_tier3, tier1, developer):
    ticket_hand_back(
        ticket=at_tier3, expected_tier=at_tier3.tier, actor=developer, missing=["order_id"]
    )
    at_tier3.refresh_from_db()
    assert at_tier3.holder == tier1


def test_hand_back_to_the_requester_asks_them_and_waits(ticket, tier1, customer):
    ticket_take(ticket=ticket, agent=tier1)

    ticket_hand_back(
        ticket=ticket,
        expected_tier=ticket.tier,
        actor=tier1,
        to_requester=True,
        note="Which till number is it?",
    )

    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING
    assert ticket.tier == 1
    reply = Comment.objects.get(ticket=ticket)
    assert (reply.is_internal, reply.body) == (False, "Which till number is it?")
    assert Notification.objects.filter(user=customer, kind="handed_back").exists()
    assert HandBack.objects.get().to_requester


def test_missing_information_must_be_named(at_tier3, developer):
    with pytest.raises(ApplicationError) as refused:
        ticket_hand_back(
            ticket=at_tier3, expected_tier=at_tier3.tier, actor=developer, missing=[], note=" "
        )
    assert refused.value.field == "missing"


def test_an_item_not_on_the_checklist_is_refused(at_tier3, developer):
    with pytest.raises(ApplicationError) as refused:
        ticket_hand_back(
            ticket=at_tier3, expected_tier=at_tier3.tier, actor=developer, missing=["blood_type"]
        )
    assert "“blood_type” is not on the checklist" in refused.value.message


def test_tier_one_has_no_earlier_tier(ticket, tier1):
    with pytest.raises(ApplicationError) as refused:
        ticket_hand_back(ticket=ticket, expected_tier=ticket.tier, actor=tier1, note="Need more")
    assert "hand the ticket back to the requester" in refused.value.message


def test_tier_three_without_direct_support_does_not_talk_to_the_requester(at_tier3, developer):
    with pytest.raises(ApplicationError) as refused:
        ticket_hand_back(
            ticket=at_tier3,
            expected_tier=at_tier3.tier,
            actor=developer,
            to_requester=True,
            note="Order id?",
        )
    assert refused.value.field == "to_requester"

    with pytest.raises(ApplicationError):
        comment_add(ticket=at_tier3, author=developer, body="Hello from engineering")
    comment_add(ticket=at_tier3, author=developer, body="Internal only", internal=True)


def test_tier_three_with_direct_support_replies_to_the_requester(at_tier3, payments, developer):
    payments.allow_direct_support = True
    payments.save()
    at_tier3.team.refresh_from_db()

    comment_add(ticket=at_tier3, author=developer, body="We found the bug; fix tonight.")
    ticket_hand_back(
        ticket=at_tier3,
        expected_tier=at_tier3.tier,
        actor=developer,
        to_requester=True,
        note="Order id?",
    )

    at_tier3.refresh_from_db()
    assert at_tier3.status == Status.PENDING


def test_a_closed_ticket_cannot_be_handed_back(at_tier3, developer):
    ticket_update(ticket=at_tier3, actor=developer, data={"status": Status.CLOSED})
    with pytest.raises(ApplicationError) as refused:
        ticket_hand_back(
            ticket=at_tier3, expected_tier=at_tier3.tier, actor=developer, missing=["order_id"]
        )
    assert refused.value.code == "closed"
