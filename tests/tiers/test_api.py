"""Tiered support through the REST API."""

import pytest
from rest_framework.test import APIClient

from apps.tickets.models import Escalation
from apps.tickets.services import ticket_update
from apps.tickets.tiers.services import ticket_escalate

pytestmark = pytest.mark.django_db


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def url(ticket, action: str) -> str:
    return f"/api/v1/tickets/{ticket.reference}/{action}/"


def test_take_then_escalate_keeps_the_taker_as_holder(ticket, tier1, tier2):
    client = api_as(tier1)
    assert client.post(url(ticket, "take")).status_code == 200

    response = client.post(
        url(ticket, "escalate"), {"reason": "Refund override", "expected_tier": 1}
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["team"], body["tier"], body["holder"], body["assignee"]) == (
        "Service Desk",
        2,
        tier1.pk,
        None,
    )
    assert body["previous_tier"] == "Service Desk tier 1"


def test_missing_checklist_is_a_400_naming_the_field(ticket, tier2, path):
    ticket_update(ticket=ticket, actor=tier2, data={"tier": 2}, allow_tier=True)  # set-up

    response = api_as(tier2).post(
        url(ticket, "escalate"),
        {"reason": "Bug", "checklist": {"steps": "Pay with Visa"}, "expected_tier": 2},
        format="json",
    )

    assert response.status_code == 400
    assert "“Affected order id”" in response.json()["checklist_order_id"][0]


def test_escalating_what_someone_else_just_escalated_is_a_400(ticket, tier1, tier1b):
    ticket_escalate(ticket=ticket, expected_tier=ticket.tier, actor=tier1, reason="First")

    # (``seen_tier`` is what clients sent before ``expected_tier`` was required: still read.)
    response = api_as(tier1b).post(url(ticket, "escalate"), {"reason": "Me too", "seen_tier": 1})

    assert response.status_code == 400
    assert "moved to Service Desk tier 2" in response.json()["tier"][0]
    assert Escalation.objects.count() == 1


def test_hand_back_and_tier_time(ticket, tier1, tier2):
    ticket_escalate(ticket=ticket, expected_tier=ticket.tier, actor=tier1, reason="Refund override")
    client = api_as(tier2)

    response = client.post(
        url(ticket, "hand-back"),
        {"note": "Which store?", "missing": [], "expected_tier": 2},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["tier"] == 1

    summary = client.get(url(ticket, "tier-time")).json()
    assert [t["tier"] for t in summary["tiers"]] == [1, 2, 3]
    assert (summary["escalations"], summary["hand_backs"]) == (1, 1)


def test_set_and_clear_the_holder(ticket, tier1, tier2):
    client = api_as(tier2)

    assert client.put(url(ticket, "holder"), {"holder": tier1.pk}).json()["holder"] == tier1.pk
    response = client.put(url(ticket, "holder"), {"holder": None}, format="json")
    assert response.json()["holder"] is None


def test_a_ticket_the_caller_does_not_work_is_404(ticket, developer, customer):
    for user in (developer, customer):
        client = api_as(user)
        assert client.post(url(ticket, "escalate"), {"reason": "x"}).status_code == 404
        assert client.get(url(ticket, "tier-time")).status_code == 404


def test_the_tier_endpoints_document_themselves_without_schema_warnings():
    from django.urls import include, path
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    schema = SchemaGenerator(
        patterns=[path("api/v1/", include("apps.tickets.tiers.api"))]
    ).get_schema(request=None, public=True)

    assert [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache] == []
    assert "/api/v1/tickets/{key}/escalate/" in schema["paths"]
    assert "/api/v1/tickets/{key}/tier-time/" in schema["paths"]


@pytest.mark.parametrize("action", ["escalate", "hand-back"])
def test_a_move_without_the_tier_the_agent_saw_is_a_400_naming_the_field(
    action, ticket, tier1, tier2
):
    ticket_escalate(ticket=ticket, expected_tier=1, actor=tier1, reason="Refund override")

    response = api_as(tier2).post(
        url(ticket, action), {"reason": "Bug", "note": "Which store?"}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["expected_tier"] == ["This field is required."]
    ticket.refresh_from_db()
    assert ticket.tier == 2


def test_the_refusal_names_the_tier_the_ticket_is_at_now(ticket, tier1, tier1b):
    ticket_escalate(ticket=ticket, expected_tier=1, actor=tier1, reason="First")

    response = api_as(tier1b).post(
        url(ticket, "escalate"), {"reason": "Me too", "expected_tier": 1}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["tier"][0].startswith(
        "This ticket is already at tier 2, not tier 1 as you saw it"
    )
