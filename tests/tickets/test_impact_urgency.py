"""Impact and urgency, asked in plain words on intake, set the priority by the admin's matrix;
insights count where a person in support changed it afterwards (rules do not count)."""

import pytest
from django.urls import reverse

from apps.insights.models import TicketFact
from apps.routing import engine
from apps.routing.rules import rule_create
from apps.tickets.models import Impact, Priority, PriorityMatrixCell, Ticket, Urgency
from apps.tickets.services import ticket_create, ticket_update


def send(client, **answers):
    data = {"subject": "Till 3 is dead", "description": "It will not start.", **answers}
    return client.post(reverse("portal:new"), data)


def test_a_blocked_store_gets_an_urgent_ticket(requester_client, triage_team):
    response = send(requester_client, urgency=Urgency.HIGH, impact=Impact.MANY)

    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert (ticket.impact, ticket.urgency, ticket.priority) == (3, 3, Priority.URGENT)


def test_one_person_who_can_wait_gets_a_low_one(requester_client, triage_team):
    send(requester_client, urgency=Urgency.LOW, impact=Impact.ONE)
    assert Ticket.objects.get().priority == Priority.LOW


def test_no_answers_keep_the_usual_priority(requester_client, triage_team):
    send(requester_client)
    assert Ticket.objects.get().priority == Priority.NORMAL


def test_the_form_asks_in_plain_words(requester_client):
    page = requester_client.get(reverse("portal:new")).content.decode()
    assert "Are you blocked?" in page
    assert "Yes, I cannot work" in page
    assert "Who is affected?" in page


def test_the_admins_matrix_decides(requester, triage_team):
    PriorityMatrixCell.objects.filter(impact=Impact.ONE, urgency=Urgency.HIGH).update(
        priority=Priority.HIGH
    )

    ticket = ticket_create(requester=requester, subject="x", description="y", impact=1, urgency=3)

    assert ticket.priority == Priority.HIGH


def test_the_admin_edits_the_matrix_as_one_grid_with_names(admin_user, client):
    client.force_login(admin_user)
    page = client.get(reverse("admin:tickets_prioritymatrixcell_changelist")).content.decode()
    assert page.count('name="form-') >= 9  # nine editable priorities
    assert "Yes, I cannot work" in page
    assert "Several sites, or our customers" in page


def test_the_api_takes_the_answers_and_refuses_a_wrong_one(requester_client, triage_team):
    made = requester_client.post(
        "/api/v1/tickets/",
        {"subject": "VPN down", "description": "x", "urgency": 3, "impact": 2},
        content_type="application/json",
    )
    refused = requester_client.post(
        "/api/v1/tickets/",
        {"subject": "VPN down", "description": "x", "urgency": 7},
        content_type="application/json",
    )

    assert made.status_code == 201
    assert made.json()["urgency"] == 3  # the requester's own answers; support's priority
    assert Ticket.objects.get().priority == Priority.HIGH
    assert refused.status_code == 400
    assert "urgency" in refused.json()


def test_insights_count_only_people_changing_the_priority(
    requester, agent, team, admin_user, triage_team
):
    engine.forget_compiled()
    rule_create(
        actor=admin_user,
        data={
            "name": "VIP tills",
            "conditions": {"all": [{"field": "subject", "op": "contains", "value": "VIP"}]},
            "actions": [
                {"action": "set_team", "params": {"team": team.pk}},
                {"action": "set_priority", "params": {"priority": 4}},
            ],
        },
    )
    by_rule = ticket_create(requester=requester, subject="VIP till", description="x")
    by_person = ticket_create(requester=requester, subject="Till", description="x")
    Ticket.objects.filter(pk=by_person.pk).update(team=team)
    by_person.refresh_from_db()
    untouched = ticket_create(requester=requester, subject="Till 2", description="x")

    ticket_update(ticket=by_person, actor=agent, data={"priority": Priority.HIGH})

    changed = dict(TicketFact.objects.values_list("ticket_id", "priority_changed"))
    assert Ticket.objects.get(pk=by_rule.pk).priority == Priority.URGENT
    assert changed == {by_rule.pk: False, by_person.pk: True, untouched.pk: False}
    engine.forget_compiled()


@pytest.mark.parametrize("answer", ["0", "high", "-1", "99999999999999999999"])
def test_hostile_answers_are_refused_by_name(requester, triage_team, answer):
    from apps.core.errors import ApplicationError

    with pytest.raises(ApplicationError) as refused:
        ticket_create(requester=requester, subject="x", description="y", urgency=answer)
    assert refused.value.field == "urgency"
