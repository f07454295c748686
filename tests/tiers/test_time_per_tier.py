"""Time spent in each tier, kept as one summary row per ticket, updated on every event."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from apps.tickets import extensions
from apps.tickets.models import Status, TierTime
from apps.tickets.services import comment_add, ticket_create, ticket_update
from apps.tickets.tiers.selectors import tier_time_for
from apps.tickets.tiers.services import ticket_escalate, ticket_hand_back, ticket_take

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HOUR = 3600


def at(hours: float):
    return time_machine.travel(T0 + timedelta(hours=hours), tick=False)


def test_a_ticket_up_to_tier_three_and_back_spends_the_right_time_in_each_tier(
    customer, desk, tier1, tier2, developer, path
):
    with at(0):
        ticket = ticket_create(requester=customer, subject="Till 3", description="Declined")
        ticket_update(ticket=ticket, actor=None, data={"team": desk})
    with at(0.25):
        ticket_take(ticket=ticket, agent=tier1)
    with at(1):
        ticket_escalate(
            ticket=ticket, expected_tier=ticket.tier, actor=tier1, reason="Refund override"
        )
    with at(3):
        ticket_escalate(
            ticket=ticket,
            expected_tier=ticket.tier,
            actor=tier2,
            reason="Bug",
            values={"steps": "s", "order_id": "1"},
        )
    with at(5):
        ticket_hand_back(
            ticket=ticket, expected_tier=ticket.tier, actor=developer, missing=["order_id"]
        )
    with at(5.5):
        comment_add(ticket=ticket, author=tier2, body="Found it, fixed.")
    with at(6):
        ticket_update(ticket=ticket, actor=tier2, data={"status": Status.RESOLVED})

    row = TierTime.objects.get(ticket=ticket)
    assert (row.tier1_seconds, row.tier2_seconds, row.tier3_seconds) == (
        1 * HOUR,
        3 * HOUR,  # 2 h before tier 3, 1 h after it came back
        2 * HOUR,
    )
    assert row.open_to_resolved_seconds == 6 * HOUR
    assert (row.escalations, row.hand_backs) == (2, 1)
    assert row.segment_started_at is None  # the clock stops when resolved


def test_the_running_tier_is_counted_up_to_now_and_reopening_restarts_it(customer, desk, tier1):
    with at(0):
        ticket = ticket_create(requester=customer, subject="Till 3", description="Declined")
    with at(2):
        ticket_update(ticket=ticket, actor=tier1, data={"status": Status.RESOLVED})
    with at(10):
        comment_add(ticket=ticket, author=customer, body="It happens again")  # reopens

    summary = tier_time_for(ticket=ticket, now=T0 + timedelta(hours=11))

    assert [t["seconds"] for t in summary["tiers"]] == [3 * HOUR, 0, 0]
    assert summary["open_to_resolved_seconds"] is None  # open again


def test_business_time_is_measured_once_a_calendar_app_provides_it(customer, desk, tier1):
    saved = list(extensions._business_seconds)
    # A stand-in calendar: every hour counts half (an 8-of-16-hour working day).
    extensions.business_seconds_provider(
        lambda ticket, start, end: (end - start).total_seconds() / 2
    )
    try:
        with at(0):
            ticket = ticket_create(requester=customer, subject="Till 3", description="Declined")
            ticket_update(ticket=ticket, actor=None, data={"team": desk})
        with at(4):
            ticket_escalate(
                ticket=ticket, expected_tier=ticket.tier, actor=tier1, reason="Refund override"
            )
    finally:
        extensions._business_seconds[:] = saved

    row = TierTime.objects.get(ticket=ticket)
    assert (row.tier1_seconds, row.tier1_business_seconds) == (4 * HOUR, 2 * HOUR)
    assert row.tier2_business_seconds is None
