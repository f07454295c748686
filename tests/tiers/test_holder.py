"""Touch and hold: the first agent to accept a ticket keeps it in view across tiers."""

import pytest

from apps.accounts.models import Membership
from apps.core.errors import ApplicationError
from apps.tickets.models import Notification
from apps.tickets.permissions import can_work, visible_tickets_q
from apps.tickets.services import comment_add
from apps.tickets.tiers.services import ticket_escalate, ticket_holder_set, ticket_take

from .conftest import fresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def held_at_tier3(ticket, tier1, tier2, developer, path):
    ticket_take(ticket=ticket, agent=tier1)
    ticket_escalate(ticket=ticket, expected_tier=ticket.tier, actor=tier1, reason="Refund override")
    ticket_escalate(
        ticket=ticket,
        expected_tier=ticket.tier,
        actor=tier2,
        reason="Bug",
        values={"steps": "s", "order_id": "ORD-1"},
    )
    ticket.refresh_from_db()
    return ticket


def test_the_holder_sees_and_talks_on_the_ticket_at_another_teams_tier(held_at_tier3, tier1):
    tariq = fresh(tier1)
    assert held_at_tier3.team.slug == "payments-engineering"
    assert type(held_at_tier3).objects.filter(visible_tickets_q(tariq)).get() == held_at_tier3
    assert can_work(tariq, held_at_tier3)

    reply = comment_add(ticket=held_at_tier3, author=tariq, body="Engineering is on it.")

    assert not reply.is_internal


def test_the_holder_is_told_of_every_move(held_at_tier3, tier1):
    notices = Notification.objects.filter(user=tier1, kind="escalated")
    assert notices.count() == 1  # the move to tier 3 (Tariq made the first one himself)
    assert "Payments Engineering tier 3" in notices.get().message


def test_a_holder_who_leaves_the_team_is_replaced_by_the_team_lead(
    held_at_tier3, desk, tier1, desk_lead
):
    Membership.objects.get(user=tier1, team=desk).delete()

    held_at_tier3.refresh_from_db()
    assert held_at_tier3.holder == desk_lead
    event = held_at_tier3.events.filter(kind="holder_changed").last()
    assert event.data["reason"] == "holder left team"
    assert event.changes["holder"] == {"before": "Tariq Haddad", "after": "Lena Lead"}
    assert Notification.objects.filter(user=desk_lead, kind="holder_changed").exists()


def test_without_a_team_lead_the_ticket_is_released_and_recorded(held_at_tier3, desk, tier1):
    Membership.objects.get(user=tier1, team=desk).delete()

    held_at_tier3.refresh_from_db()
    assert held_at_tier3.holder is None
    assert (
        held_at_tier3.events.filter(kind="holder_changed").last().changes["holder"]["after"] is None
    )


def test_leaving_another_team_does_not_touch_the_hold(held_at_tier3, payments, tier1):
    Membership.objects.create(user=tier1, team=payments, tier=3)
    Membership.objects.get(user=tier1, team=payments).delete()

    held_at_tier3.refresh_from_db()
    assert held_at_tier3.holder == tier1


def test_a_lead_sets_the_holder_by_hand(ticket, desk_lead, tier1b):
    ticket_holder_set(ticket=ticket, holder=tier1b, actor=desk_lead, reason="Mia knows the store")

    ticket.refresh_from_db()
    assert ticket.holder == tier1b
    assert Notification.objects.filter(user=tier1b, kind="holder_changed").exists()


def test_only_an_active_agent_can_hold(ticket, desk_lead, customer):
    with pytest.raises(ApplicationError) as refused:
        ticket_holder_set(ticket=ticket, holder=customer, actor=desk_lead)
    assert refused.value.field == "holder"


def test_the_holder_hears_when_the_requester_replies_and_when_it_is_resolved(
    held_at_tier3, tier1, developer, customer
):
    from apps.core.models import OutboxMessage
    from apps.tickets.models import Status
    from apps.tickets.services import ticket_update

    comment_add(ticket=held_at_tier3, author=customer, body="Still failing at till 4 too")
    ticket_update(ticket=held_at_tier3, actor=developer, data={"status": Status.RESOLVED})

    kinds = list(
        Notification.objects.filter(user=tier1, kind__startswith="holder_")
        .order_by("id")
        .values_list("kind", flat=True)
    )
    assert kinds == ["holder_replied", "holder_resolved"]
    assert OutboxMessage.objects.filter(to=tier1.email, kind="notified").count() == 2
