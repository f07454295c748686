"""Leads' reports (hand-backs, overdue subtasks, routing, SLA in tests/sla) are for leads, cover
only the teams they lead, and list no ticket their reader cannot open."""

import datetime

import pytest
from django.urls import reverse

from apps.routing.models import RootCause, TicketClassification
from apps.subtasks.models import Subtask, SubtaskKind
from apps.subtasks.services import subtask_create
from apps.tickets.models import HandBack
from apps.tickets.services import ticket_create, ticket_update
from tests.conftest import signed_in
from tests.factories import agent_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_lead(other_team):
    return agent_of(other_team, email="nlead@example.com", full_name="Nils Lead", lead=True)


@pytest.fixture
def desk_ticket(requester, team, agent):
    ticket = ticket_create(
        requester=requester, subject="Till 3 prints blank receipts", description="Since Monday."
    )
    ticket_update(ticket=ticket, actor=agent, data={"team": team})
    return ticket


def _hand_back(ticket, *, to_team, actor):
    return HandBack.objects.create(
        ticket=ticket,
        from_team=to_team,
        from_tier=2,
        to_team=to_team,
        to_tier=1,
        missing=["Till number"],
        note="Which till exactly?",
        actor=actor,
    )


def test_hand_backs_are_for_leads_of_the_team(desk_ticket, team, agent, lead, other_lead):
    _hand_back(desk_ticket, to_team=team, actor=lead)
    url = reverse("tiers:hand-backs")
    assert signed_in(agent).get(url).status_code == 404
    own = signed_in(lead).get(url).content.decode()
    assert desk_ticket.reference in own
    other = signed_in(other_lead).get(url).content.decode()
    assert desk_ticket.reference not in other
    assert "Which till exactly?" not in other
    assert "Service Desk" not in other


def test_a_ticket_moved_to_another_team_is_counted_not_listed(
    desk_ticket, team, other_team, agent, lead
):
    _hand_back(desk_ticket, to_team=team, actor=lead)
    ticket_update(ticket=desk_ticket, actor=agent, data={"team": other_team})
    page = signed_in(lead).get(reverse("tiers:hand-backs")).content.decode()
    assert desk_ticket.reference not in page
    assert "Which till exactly?" not in page
    assert "1 more concern" in page


def test_overdue_subtasks_are_for_leads_of_the_team(desk_ticket, agent, lead, other_lead):
    kind, _ = SubtaskKind.objects.get_or_create(name="Data fix")
    subtask = subtask_create(
        ticket=desk_ticket, actor=agent, title="Fix the receipt template", kind=kind
    )
    Subtask.objects.filter(pk=subtask.pk).update(due_date=datetime.date(2020, 1, 6))
    url = reverse("subtasks:overdue")
    assert signed_in(agent).get(url).status_code == 404
    assert "Fix the receipt template" in signed_in(lead).get(url).content.decode()
    other = signed_in(other_lead).get(url).content.decode()
    assert "Fix the receipt template" not in other
    assert desk_ticket.reference not in other


def test_the_routing_report_covers_only_the_teams_led(
    desk_ticket, team, agent, lead, other_lead, requester
):
    cause = RootCause.objects.create(name="Printer firmware")
    TicketClassification.objects.create(ticket=desk_ticket, root_cause=cause)
    url = reverse("routing:report")
    assert signed_in(agent).get(url).status_code == 404
    assert signed_in(requester).get(url).status_code == 404
    own = signed_in(lead).get(url).content.decode()
    assert "Printer firmware" in own
    other = signed_in(other_lead)
    page = other.get(url).content.decode()
    assert "Printer firmware" not in page
    csv = other.get(url, {"format": "csv"}).content.decode()
    assert "Printer firmware" not in csv
    assert "Service Desk" not in csv
    assert other.get(url, {"team": team.pk}).status_code == 404
    assert other.get(url, {"team": team.pk, "format": "csv"}).status_code == 404
