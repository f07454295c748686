"""The rule back-test is honest: a switched-off draft is tested as if it were on, and "would
land elsewhere" compares with what routing decided at creation, not with where people or
escalations moved the ticket since."""

import pytest
from rest_framework.test import APIClient

from apps.routing.services import rules_backtest
from apps.tickets.services import ticket_update

from .conftest import send_to

pytestmark = pytest.mark.django_db

WIFI = {"all": [{"field": "category", "op": "equals", "value": "Wi-Fi down"}]}


def draft(team, **fields):
    return {"name": "Wi-Fi to networks", "conditions": WIFI, "actions": send_to(team), **fields}


def test_a_switched_off_draft_is_tested_as_if_it_were_on(desk, open_ticket):
    for _ in range(2):
        open_ticket(category=desk["wifi"])

    result = rules_backtest(draft=draft(desk["networks"], enabled=False))

    assert result["changed"] == 2
    assert result["auto_routed_after"] == 2
    assert [m["to"] for m in result["moves"]] == ["Networks"]


def test_a_saved_switched_off_rule_is_tested_as_if_it_were_on(desk, open_ticket, make_rule):
    rule = make_rule("Wi-Fi", WIFI, send_to(desk["networks"]), enabled=False)
    open_ticket(category=desk["wifi"])

    result = rules_backtest(draft={**draft(desk["networks"], enabled=False), "id": rule.pk})

    assert result["changed"] == 1


def test_the_api_backtests_a_switched_off_draft(desk, open_ticket, admin_user):
    open_ticket(category=desk["wifi"])
    client = APIClient()
    client.force_authenticate(admin_user)

    response = client.post(
        "/api/v1/routing/rules/backtest/",
        {"rule": draft(desk["networks"], enabled=False)},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert response.json()["changed"] == 1


def test_moves_since_creation_are_not_counted_as_landing_elsewhere(
    desk, open_ticket, make_rule, admin_user
):
    make_rule("Wi-Fi", WIFI, send_to(desk["networks"]))
    moved = open_ticket(category=desk["wifi"])  # routed to Networks at creation …
    assert moved.team == desk["networks"]
    # … then people moved it on: another team, an escalation, a new priority.
    ticket_update(
        ticket=moved,
        actor=None,
        data={"team": desk["payments"], "tier": 3, "priority": 4},
        source="people at work",
        allow_tier=True,
    )

    result = rules_backtest(compare="actual")

    assert result["changed"] == 0


def test_a_new_rule_is_measured_against_the_creation_decision(desk, open_ticket, make_rule):
    waited = open_ticket(category=desk["wifi"])  # no rule yet: it waited in triage
    ticket_update(ticket=waited, actor=None, data={"team": desk["networks"]}, source="triager")
    make_rule("Wi-Fi", WIFI, send_to(desk["networks"]))

    result = rules_backtest(compare="actual")

    # A triager put it in Networks; the rule would have: that is a ticket routed differently.
    assert result["changed"] == 1
    assert result["moves"] == [{"from": "Triage", "to": "Networks", "count": 1}]
    assert result["rows"][0]["now"] == "Networks"
