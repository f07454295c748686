"""Escalating a ticket up its team's path: tier 1 → tier 2 → another team's tier 3."""

import pytest

from apps.core.errors import ApplicationError
from apps.core.models import OutboxMessage
from apps.tickets.actions import action_apply
from apps.tickets.models import ChecklistValue, Escalation, Notification, Status
from apps.tickets.services import ticket_update
from apps.tickets.tiers.services import ticket_escalate, ticket_take

pytestmark = pytest.mark.django_db


def test_tier_one_escalates_to_tier_two_of_its_own_team(ticket, desk, tier1, tier2):
    ticket_take(ticket=ticket, agent=tier1)

    escalation = ticket_escalate(
        ticket=ticket, expected_tier=ticket.tier, actor=tier1, reason="Needs a refund override"
    )

    ticket.refresh_from_db()
    assert (ticket.team, ticket.tier, ticket.assignee) == (desk, 2, None)
    assert (escalation.from_tier, escalation.to_tier, escalation.from_assignee) == (1, 2, tier1)
    kinds = list(ticket.events.values_list("kind", flat=True))
    assert kinds[-3:] == ["changed", "escalated", "notified"]
    escalated = ticket.events.get(kind="escalated")
    assert escalated.data["reason"] == "Needs a refund override"
    assert escalated.actor == tier1


def test_the_agent_who_accepted_it_stays_holder_through_every_escalation(
    ticket, tier1, tier2, developer, path
):
    ticket_take(ticket=ticket, agent=tier1)
    ticket.refresh_from_db()
    assert ticket.holder == tier1

    ticket_escalate(ticket=ticket, expected_tier=ticket.tier, actor=tier1, reason="Refund override")
    ticket_escalate(
        ticket=ticket,
        expected_tier=ticket.tier,
        actor=tier2,
        reason="Looks like a bug",
        values=_filled(),
    )

    ticket.refresh_from_db()
    assert (ticket.team.slug, ticket.tier, ticket.holder) == ("payments-engineering", 3, tier1)
    assert ticket.events.filter(kind="holder_changed").count() == 1


def test_without_touch_and_hold_ownership_passes_with_the_ticket(ticket, desk, tier1, tier2):
    desk.touch_and_hold = False
    desk.save()
    ticket_take(ticket=ticket, agent=tier1)

    ticket_escalate(ticket=ticket, expected_tier=ticket.tier, actor=tier1, reason="Refund override")

    ticket.refresh_from_db()
    assert ticket.holder is None
    assert ticket.assignee is None


def test_next_tier_checklist_must_be_filled_and_the_message_names_what_is_missing(
    ticket, tier2, path
):
    ticket_update(ticket=ticket, actor=tier2, data={"tier": 2}, allow_tier=True)  # set-up

    with pytest.raises(ApplicationError) as refused:
        ticket_escalate(
            ticket=ticket,
            expected_tier=ticket.tier,
            actor=tier2,
            reason="Bug",
            values={"steps": ""},
        )

    assert "Payments Engineering tier 3" in refused.value.message
    assert "“Steps to reproduce”" in refused.value.message
    assert "“Affected order id”" in refused.value.message
    assert refused.value.field == "checklist_steps"
    ticket.refresh_from_db()
    assert ticket.tier == 2
    assert not ChecklistValue.objects.exists()  # nothing half-saved


def test_checklist_values_are_kept_on_the_ticket(ticket, tier2, path):
    ticket_update(ticket=ticket, actor=tier2, data={"tier": 2}, allow_tier=True)  # set-up

    ticket_escalate(
        ticket=ticket, expected_tier=ticket.tier, actor=tier2, reason="Bug", values=_filled()
    )

    stored = dict(ChecklistValue.objects.values_list("item__key", "value"))
    assert stored == {"steps": "1. Pay with Visa\n2. Declined", "order_id": "ORD-77"}


def test_escalating_past_the_last_tier_is_refused(ticket, tier2, developer, path):
    ticket_update(ticket=ticket, actor=tier2, data={"tier": 2}, allow_tier=True)  # set-up
    ticket_escalate(
        ticket=ticket, expected_tier=ticket.tier, actor=tier2, reason="Bug", values=_filled()
    )

    with pytest.raises(ApplicationError) as refused:
        ticket_escalate(
            ticket=ticket, expected_tier=ticket.tier, actor=developer, reason="Even higher"
        )

    assert refused.value.code == "last_tier"
    assert "last tier" in refused.value.message
    assert Escalation.objects.filter(ticket=ticket).count() == 1


@pytest.mark.parametrize("status", [Status.RESOLVED, Status.CLOSED])
def test_a_resolved_or_closed_ticket_cannot_be_escalated(ticket, tier1, status):
    ticket_update(ticket=ticket, actor=tier1, data={"status": status})

    with pytest.raises(ApplicationError) as refused:
        ticket_escalate(ticket=ticket, expected_tier=ticket.tier, actor=tier1, reason="Too late")

    assert refused.value.code == "closed"
    assert "reopen it" in refused.value.message
    ticket.refresh_from_db()
    assert ticket.tier == 1


def test_a_reason_is_required(ticket, tier1):
    with pytest.raises(ApplicationError) as refused:
        ticket_escalate(ticket=ticket, expected_tier=ticket.tier, actor=tier1, reason="   ")
    assert refused.value.field == "reason"


def test_someone_outside_the_team_cannot_escalate(ticket, developer):
    with pytest.raises(ApplicationError) as refused:
        ticket_escalate(
            ticket=ticket, expected_tier=ticket.tier, actor=developer, reason="Not mine"
        )
    assert refused.value.code == "forbidden"


def test_escalating_from_a_stale_page_is_refused_not_repeated(ticket, tier1, tier1b):
    stale = type(ticket).objects.get(pk=ticket.pk)
    ticket_escalate(ticket=ticket, expected_tier=ticket.tier, actor=tier1, reason="First")

    with pytest.raises(ApplicationError) as refused:
        ticket_escalate(ticket=stale, expected_tier=stale.tier, actor=tier1b, reason="Second")

    assert refused.value.code == "moved"
    assert "by Tariq Haddad" in refused.value.message
    ticket.refresh_from_db()
    assert ticket.tier == 2


def test_new_tier_and_holder_are_notified_in_app_and_by_mail(ticket, tier1, tier1b, tier2):
    ticket_take(ticket=ticket, agent=tier1b)  # Mia accepts and holds it
    ticket_escalate(ticket=ticket, expected_tier=ticket.tier, actor=tier1, reason="Refund override")

    told = set(Notification.objects.filter(kind="escalated").values_list("user__email", flat=True))
    assert told == {"sofia@example.com", "mia@example.com"}  # tier 2, the holder; not the actor
    mailed = set(OutboxMessage.objects.filter(kind="notified").values_list("to", flat=True))
    assert mailed == told


def test_a_rule_or_timer_escalates_through_the_action_registry(ticket, tier2, path):
    ticket_update(ticket=ticket, actor=tier2, data={"tier": 2}, allow_tier=True)  # set-up

    said = action_apply(name="escalate", ticket=ticket, params={}, source="SLA step: 4h")

    assert said == "escalated to Payments Engineering tier 3"
    event = ticket.events.get(kind="escalated")
    assert event.actor is None
    assert event.data["checklist_missing"] == ["Steps to reproduce", "Affected order id"]
    assert event.data["source"] == "SLA step: 4h"


def _filled():
    return {"steps": "1. Pay with Visa\n2. Declined", "order_id": "ORD-77"}


def test_a_ticket_in_no_team_is_placed_before_it_is_escalated(customer, admin_user):
    from apps.tickets.services import ticket_create

    loose = ticket_create(requester=customer, subject="Till 9", description="Frozen")
    assert loose.team is None

    with pytest.raises(ApplicationError) as refused:
        ticket_escalate(ticket=loose, expected_tier=loose.tier, actor=admin_user, reason="Urgent")
    assert refused.value.field == "team"
