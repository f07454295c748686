"""The routing API: rules for admins, the decision log and re-route for agents, root causes."""

import pytest
from rest_framework.test import APIClient

from apps.routing.models import RootCause, Rule

from .conftest import send_to


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


RULE = {
    "name": "VIP first",
    "conditions": {"all": [{"field": "requester_vip", "op": "equals", "value": "yes"}]},
    "actions": [{"action": "set_priority", "params": {"priority": 4}}],
}


def test_admin_writes_rules_and_agents_may_not(desk, admin_user, agent):
    created = api(admin_user).post("/api/v1/routing/rules/", RULE, format="json")
    assert created.status_code == 201
    pk = created.json()["id"]

    changed = api(admin_user).put(f"/api/v1/routing/rules/{pk}/", {"enabled": False}, format="json")
    assert changed.json()["enabled"] is False
    assert api(agent).get("/api/v1/routing/rules/").status_code == 403
    assert api(admin_user).delete(f"/api/v1/routing/rules/{pk}/").status_code == 204
    assert not Rule.objects.exists()


def test_bad_rule_is_a_400_naming_the_field(desk, admin_user):
    bad = {**RULE, "conditions": {"all": [{"field": "subject", "op": "regex", "value": "(a*)*"}]}}

    response = api(admin_user).post("/api/v1/routing/rules/", bad, format="json")

    assert response.status_code == 400
    assert "repeats a group" in response.json()["conditions"][0]


def test_decision_log_and_reroute_for_the_owning_agent_only(
    desk, make_rule, open_ticket, requester, triager, django_assert_max_num_queries
):
    ticket = open_ticket(category=desk["wifi"])
    make_rule("Wi-Fi", {"all": [{"field": "category", "op": "equals", "value": "Wi-Fi down"}]},
              send_to(desk["networks"]))  # fmt: skip

    rerouted = api(triager).post(f"/api/v1/tickets/{ticket.reference}/reroute/")
    assert rerouted.status_code == 200
    assert rerouted.json()["team"] == "Networks"

    assert (
        api(requester).get(f"/api/v1/tickets/{ticket.reference}/routing/decisions/").status_code
        == 404
    )
    assert (
        api(triager).get(f"/api/v1/tickets/{ticket.reference}/routing/decisions/").status_code
        == 404
    )


def test_decision_log_lists_every_evaluation(
    desk, make_rule, open_ticket, admin_user, django_assert_max_num_queries
):
    make_rule("All to networks", {"all": []}, send_to(desk["networks"]))
    ticket = open_ticket()
    client = api(admin_user)
    client.post(f"/api/v1/tickets/{ticket.reference}/reroute/")

    with django_assert_max_num_queries(6):
        log = client.get(f"/api/v1/tickets/{ticket.reference}/routing/decisions/").json()

    assert [d["trigger"] for d in log] == ["reroute", "created"]
    assert log[1]["matched"][0]["rule"] == "All to networks"


@pytest.mark.parametrize("active", [True, False])
def test_root_cause_list_shows_active_causes_to_agents(db, agent, active):
    RootCause.objects.create(name="Network outage", is_active=active)

    names = [c["name"] for c in api(agent).get("/api/v1/routing/root-causes/").json()]

    assert names == (["Network outage"] if active else [])


def test_export_and_backtest_endpoints(desk, make_rule, open_ticket, admin_user):
    make_rule("All to networks", {"all": []}, send_to(desk["networks"]))
    open_ticket()

    exported = api(admin_user).get("/api/v1/routing/rules/export/").json()
    result = api(admin_user).post(
        "/api/v1/routing/rules/backtest/",
        {"limit": 10, "rule": {**RULE, "name": "Draft", "actions": [
            {"action": "set_team", "params": {"team": desk["payments"].pk}}]}},
        format="json",
    ).json()  # fmt: skip

    assert exported["rules"][0]["name"] == "All to networks"
    assert (result["tickets"], result["changed"]) == (1, 0)  # the draft only takes VIPs
