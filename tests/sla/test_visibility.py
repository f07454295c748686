"""What people see: SLA badges on the queue (sortable by next due), the clocks on the ticket
page, the leads' "At risk" page and the SLA API — and nothing of tickets they may not see."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from apps.sla import services
from apps.sla.models import Clock
from apps.tickets.models import Priority
from tests.conftest import signed_in

from .conftest import FR, RES
from .factories import policy_with

pytestmark = pytest.mark.django_db


@pytest.fixture
def quick(always):
    return policy_with(
        "Quick",
        always,
        {(FR, Priority.NORMAL): 60, (RES, Priority.NORMAL): 600, (FR, Priority.HIGH): 30},
        warn_percent=50,
    )


@pytest.fixture
def late_and_fresh(quick, open_ticket, agent):
    """One ticket opened 2 hours ago and breached; one opened just now."""
    with time_machine.travel(timezone.now() - timedelta(hours=2), tick=False):
        late = open_ticket()
    services.sla_sweep()
    fresh = open_ticket()
    return late, fresh


def test_the_queue_shows_business_time_left_and_sorts_by_next_due(
    late_and_fresh, agent_client, open_ticket, django_assert_max_num_queries
):
    late, fresh = late_and_fresh
    for _ in range(5):
        open_ticket()
    url = reverse("workspace:queue")
    with django_assert_max_num_queries(20):
        response = agent_client.get(url, {"sort": "sla"})
    html = response.content.decode()
    assert "sla-breached" in html
    assert "1h left" in html  # the fresh ticket's first response, in business time
    # Sorted by next due time: the breached ticket (its missed target is the earliest due)
    # first, then the fresh one, then tickets due later.
    assert html.index(late.reference) < html.index(fresh.reference)


def test_the_ticket_page_shows_each_clock(late_and_fresh, agent_client):
    late, _ = late_and_fresh
    response = agent_client.get(reverse("workspace:ticket", args=[late.reference]))
    html = response.content.decode()
    assert "First response" in html
    assert "Breached" in html
    assert "Resolution" in html


def test_a_lead_sees_what_is_at_risk_and_compliance(
    late_and_fresh, lead, agent, django_assert_max_num_queries
):
    late, fresh = late_and_fresh
    client = signed_in(lead)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("sla:at_risk"))
    html = response.content.decode()
    assert late.reference in html
    assert fresh.reference in html  # first response due within the hour
    assert "Service Desk" in html  # compliance by team
    assert "At risk" in html  # the navigation link leads see
    assert signed_in(agent).get(reverse("sla:at_risk")).status_code == 404


def test_the_api_gives_a_ticket_clocks_to_its_agents_only(
    late_and_fresh, agent_client, requester_client, other_agent
):
    late, _ = late_and_fresh
    url = reverse("sla-api:ticket-clocks", args=[late.reference])
    body = agent_client.get(url).json()
    assert {c["metric"]: c["state"] for c in body["clocks"]} == {
        FR: "breached",
        RES: "running",
    }
    assert requester_client.get(url).status_code == 404
    assert signed_in(other_agent).get(url).status_code == 404


def test_compliance_by_team_priority_and_week_through_the_api(late_and_fresh, lead, agent):
    late, _ = late_and_fresh
    client = signed_in(lead)
    url = reverse("sla-api:compliance")
    teams = client.get(url, {"by": "team"}).json()["results"]
    assert teams == [
        {
            "group": "Service Desk",
            "metric": FR,
            "total": 1,
            "on_time": 0,
            "breached": 1,
            "percent": 0.0,
        }
    ]
    assert client.get(url, {"by": "priority"}).json()["results"][0]["group"] == Priority.NORMAL
    assert len(client.get(url, {"by": "week"}).json()["results"]) == 1
    bad = client.get(url, {"by": "colour"})
    assert bad.status_code == 400
    assert "by" in bad.json()
    assert client.get(url, {"weeks": "0"}).json() == {"weeks": ["A number of weeks from 1 to 104."]}
    assert signed_in(agent).get(url).status_code == 404
    assert Clock.objects.filter(ticket=late, state="breached").count() == 1


def test_a_lead_of_another_team_sees_none_of_its_risk_or_figures(late_and_fresh, other_team):
    from tests.factories import agent_of

    late, fresh = late_and_fresh
    other_lead = agent_of(other_team, email="nl@example.com", full_name="Nils Lead", lead=True)
    client = signed_in(other_lead)
    html = client.get(reverse("sla:at_risk")).content.decode()
    assert late.reference not in html
    assert fresh.reference not in html
    assert "Service Desk" not in html
    for by in ("team", "metric", "week"):
        body = client.get(reverse("sla-api:compliance"), {"by": by}).json()
        assert body["results"] == []
