"""The demo's tiered-support story: up to tier 3, back for a wrong order id, up again."""

import io

import pytest

from apps.accounts import demo as accounts_demo
from apps.tickets.models import HandBack, TierTime
from apps.tickets.tiers import demo as tiers_demo

pytestmark = pytest.mark.django_db


def test_the_demo_case_goes_to_tier_three_and_back_with_the_holder_kept():
    demo = {"logins": [], "stdout": io.StringIO()}
    accounts_demo.configure(demo)
    tiers_demo.configure(demo)

    tiers_demo.populate(demo)

    row = TierTime.objects.select_related("ticket__holder").get(escalations=3)
    ticket = row.ticket
    assert (ticket.team.slug, ticket.tier) == ("payments-engineering", 3)
    assert ticket.holder == demo["people"]["agent_t1"]
    assert HandBack.objects.get().missing == ["Affected order id"]
    # Tier 1 from opening to the escalation at 65 min; tier 2 from 65 to 200 and 380 to 420;
    # tier 3 from 200 to the hand-back at 380 (the running segment since 420 is not closed).
    assert (row.tier1_seconds, row.tier2_seconds) == (65 * 60, 175 * 60)
    assert row.tier3_seconds == 180 * 60
    assert "waits at tier 1" in demo["stdout"].getvalue()
