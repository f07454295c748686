"""The figures a lead reads about tiers — hand-backs per team and time per tier — agree with
the same figures worked out in the test from the raw rows (the event history)."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from apps.tickets.models import ACTIVE_STATUSES, Status, TicketEvent
from apps.tickets.services import comment_add, ticket_create, ticket_update
from apps.tickets.tiers.selectors import hand_back_counts_by_team, tier_time_for
from apps.tickets.tiers.services import ticket_escalate, ticket_hand_back, ticket_take
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(hours: float):
    return time_machine.travel(T0 + timedelta(hours=hours), tick=False)


@pytest.fixture
def worked(customer, desk, tier1, tier2, developer, path):
    """Three tickets: up to tier 3 and back twice; to tier 2 and back to the requester; one
    never escalated. Times in hours from T0."""
    tickets = []
    for n in range(3):
        with at(n * 0.1):
            ticket = ticket_create(requester=customer, subject=f"Till {n}", description="Declined")
            ticket_update(ticket=ticket, actor=None, data={"team": desk})
        with at(0.5):
            ticket_take(ticket=ticket, agent=tier1)
        tickets.append(ticket)
    a, b, c = tickets
    with at(1):
        ticket_escalate(ticket=a, expected_tier=1, actor=tier1, reason="Refund override")
        ticket_escalate(ticket=b, expected_tier=1, actor=tier1, reason="Needs tier 2")
    with at(2):
        ticket_escalate(
            ticket=a,
            expected_tier=2,
            actor=tier2,
            reason="Bug",
            values={"steps": "s", "order_id": "1"},
        )
        ticket_hand_back(ticket=b, expected_tier=2, actor=tier2, note="Which till?")
    with at(3.5):
        ticket_hand_back(ticket=a, expected_tier=3, actor=developer, missing=["order_id"])
    with at(4):
        ticket_escalate(
            ticket=a,
            expected_tier=2,
            actor=tier2,
            reason="Order id added",
            values={"steps": "s", "order_id": "7"},
        )
    with at(5.25):
        ticket_hand_back(ticket=a, expected_tier=3, actor=developer, missing=["steps"])
    with at(6):
        ticket_update(ticket=b, actor=tier1, data={"status": Status.PENDING})
        # Back to the requester: counted in the history, not against a team.
        ticket_hand_back(
            ticket=c, expected_tier=1, actor=tier1, note="A photo of the screen?", to_requester=True
        )
    with at(7):
        comment_add(ticket=a, author=tier2, body="Fixed.")
        ticket_update(ticket=a, actor=tier2, data={"status": Status.RESOLVED})
    return tickets


def tier_seconds_from_history(ticket, now) -> dict[int, float]:
    """Walk the ticket's events: time in each tier while the ticket was active."""
    tier, active, since = 1, True, ticket.created_at
    spent = {1: 0.0, 2: 0.0, 3: 0.0}
    for event in TicketEvent.objects.filter(ticket=ticket).order_by("created_at", "id"):
        changes = event.changes or {}
        new_tier = changes.get("tier", {}).get("after", tier)
        new_status = changes.get("status", {}).get("after")
        new_active = active if new_status is None else new_status in ACTIVE_STATUSES
        if (new_tier, new_active) != (tier, active):
            if active:
                spent[tier] += (event.created_at - since).total_seconds()
            tier, active, since = new_tier, new_active, event.created_at
    if active:
        spent[tier] += (now - since).total_seconds()
    return spent


def test_time_per_tier_agrees_with_the_event_history(worked):
    now = T0 + timedelta(hours=8)
    for ticket in worked:
        ticket.refresh_from_db()
        shown = {t["tier"]: t["seconds"] for t in tier_time_for(ticket=ticket, now=now)["tiers"]}
        expected = tier_seconds_from_history(ticket, now)
        assert shown == {tier: round(s) for tier, s in expected.items()}
    a = worked[0]
    # Tier 1 for 1 h; tier 2 from 1 to 2, 3.5 to 4 and 5.25 to 7; tier 3 from 2 to 3.5, 4 to 5.25.
    assert tier_seconds_from_history(a, now) == {1: 3600.0, 2: 3.25 * 3600, 3: 2.75 * 3600}


def test_hand_backs_per_team_agree_with_the_event_history(worked, desk_lead):
    with at(8):
        since = T0 - timedelta(days=1)
        rows = {
            r["to_team__name"]: (r["count"], r["tickets"])
            for r in hand_back_counts_by_team(since=since)
        }
        html = signed_in(desk_lead).get(reverse("tiers:hand-backs")).content.decode()
    events = TicketEvent.objects.filter(kind="handed_back").select_related("ticket")
    to_tiers = [e for e in events if e.data["to"] != "requester"]
    expected: dict[str, tuple[int, set]] = {}
    for e in to_tiers:
        team = e.data["to"].rsplit(" tier ", 1)[0]
        count, tickets = expected.get(team, (0, set()))
        expected[team] = (count + 1, tickets | {e.ticket_id})
    assert rows == {team: (n, len(t)) for team, (n, t) in expected.items()}
    assert rows == {"Service Desk": (3, 2)}
    assert '<td class="right">3</td><td class="right">2</td>' in html
