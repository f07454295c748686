"""An agent logs a ticket for someone on the phone, in a chat or at the desk: the ticket is the
requester's, routed, timed and acknowledged like any other, and the agent is on record."""

import pytest
from django.urls import reverse

from apps.accounts.models import User
from apps.routing import engine
from apps.routing.rules import rule_create
from apps.sla.models import Clock
from apps.tickets.models import Channel, Ticket, TicketEvent
from tests.conftest import signed_in
from tests.factories import UserFactory
from tests.sla.factories import OFFICE_HOURS, calendar_with, policy_with

NEW = reverse("workspace:caller-new")


@pytest.fixture(autouse=True)
def _fresh_rule_cache():
    engine.forget_compiled()
    yield
    engine.forget_compiled()


def call(client, **fields):
    data = {
        "channel": "phone",
        "requester_email": "rita@example.com",
        "subject": "Till 4 will not start",
        "description": "The store manager rang: the screen stays black since opening.",
        "priority": "2",
        **fields,
    }
    return client.post(NEW, data)


@pytest.fixture
def phone_rule(db, admin_user, team):
    """Calls about tills go to the Service Desk; everything else waits in triage."""
    return rule_create(
        actor=admin_user,
        data={
            "name": "Phoned-in tickets",
            "conditions": {"all": [{"field": "channel", "op": "equals", "value": "Phone"}]},
            "actions": [{"action": "set_team", "params": {"team": team.pk}}],
        },
    )


def test_a_phone_call_becomes_the_requesters_ticket_routed_and_acknowledged(
    agent_client,
    agent,
    requester,
    triage_team,
    phone_rule,
    team,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        response = call(agent_client, requester_email="RITA@example.com")

    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("workspace:ticket", args=[ticket.reference])
    assert (ticket.requester, ticket.channel, ticket.team) == (requester, Channel.PHONE, team)
    created = TicketEvent.objects.get(ticket=ticket, kind="created")
    assert created.actor == agent
    acknowledged = [m for m in mailoutbox if m.to == [requester.email]]
    assert len(acknowledged) == 1
    assert ticket.reference in acknowledged[0].subject
    # The requester sees it among their own requests, as if they had written it.
    page = signed_in(requester).get(reverse("portal:tickets"))
    assert ticket.reference in page.content.decode()


def test_someone_new_is_created_on_the_spot_without_a_password(agent_client, triage_team):
    response = call(
        agent_client,
        channel="walk_in",
        requester_email="nina.new@shop.example",
        requester_name="Nina New",
    )

    nina = User.objects.get(email="nina.new@shop.example")
    assert nina.full_name == "Nina New"
    assert not nina.has_usable_password()
    ticket = Ticket.objects.get()
    assert (ticket.requester, ticket.channel, ticket.team) == (nina, Channel.WALK_IN, triage_team)
    # Routing left it in triage, which is not this agent's: they can take the next call.
    assert response["Location"] == NEW


def test_the_clocks_start_for_a_phoned_in_ticket(agent_client, requester, triage_team):
    office = calendar_with("Office", OFFICE_HOURS)
    policy_with("Standard", office, {("first_response", 2): 120, ("resolution", 2): 960})

    call(agent_client, channel="chat")

    ticket = Ticket.objects.get()
    assert set(Clock.objects.filter(ticket=ticket).values_list("metric", flat=True)) == {
        "first_response",
        "resolution",
    }


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"requester_email": "not an address"}, "requester_email", "e-mail address"),
        ({"requester_email": "new@shop.example"}, "requester_name", "give their name"),
        ({"channel": "email"}, "channel", "Select a valid choice"),
        ({"subject": ""}, "subject", "required"),
    ],
)
def test_a_bad_form_says_what_is_wrong_and_leaves_nothing_behind(
    agent_client, requester, triage_team, fields, field, words
):
    people = User.objects.count()

    response = call(agent_client, **fields)

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert words in " ".join(errors[field])
    assert Ticket.objects.count() == 0
    assert User.objects.count() == people


def test_a_deactivated_account_is_refused_by_name(agent_client, triage_team):
    UserFactory(email="gone@example.com", is_active=False)

    response = call(agent_client, requester_email="gone@example.com")

    assert response.status_code == 400
    assert "deactivated" in " ".join(response.context["form"].errors["requester_email"])
    assert not Ticket.objects.exists()


def test_a_subject_the_service_refuses_creates_no_account(agent_client, triage_team):
    response = call(
        agent_client,
        requester_email="newcomer@shop.example",
        requester_name="New Comer",
        subject="   ",
    )

    assert response.status_code == 400
    assert not User.objects.filter(email="newcomer@shop.example").exists()


def test_the_agent_finds_people_by_name_or_address(agent_client, requester, other_requester):
    UserFactory(email="ritual@example.com", full_name="Gone Person", is_active=False)
    url = reverse("workspace:people-found")

    by_name = agent_client.get(url, {"requester_email": "rita req"}).content.decode()
    by_address = agent_client.get(url, {"requester_email": "oscar@"}).content.decode()
    too_short = agent_client.get(url, {"requester_email": "r"}).content.decode()

    assert 'value="rita@example.com"' in by_name
    assert "oscar" not in by_name
    assert 'value="oscar@example.com"' in by_address
    assert too_short.strip() == ""
    assert "ritual" not in agent_client.get(url, {"requester_email": "rit"}).content.decode()


def test_requesters_can_neither_log_calls_nor_search_people(requester_client, other_requester):
    assert call(requester_client).status_code == 302  # sent back to their own requests
    found = requester_client.get(reverse("workspace:people-found"), {"requester_email": "osc"})
    assert found.status_code == 302
    assert "oscar" not in found.content.decode()
    assert not Ticket.objects.exists()


def test_the_queue_offers_a_ticket_for_a_caller(agent_client):
    page = agent_client.get(reverse("workspace:queue")).content.decode()
    assert NEW in page
