"""Tickets through the API: opened, found, changed and taken, by exactly the people who may."""

import pytest

from apps.tickets.models import Channel, Status, Ticket

from .api_support import api_as, queued_ticket, tickets_url

pytestmark = pytest.mark.django_db


def test_a_requester_opens_a_ticket_with_the_routing_fields(requester, lookups, triage_team):
    response = api_as(requester).post(
        tickets_url(),
        {
            "subject": "Cannot sign in to the till",
            "description": "The POS says 'user locked' since this morning.",
            "category": lookups["category"].pk,
            "location": lookups["location"].pk,
            "product": lookups["product"].pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    ticket = Ticket.objects.get(pk=body["id"])
    assert body["reference"] == ticket.reference
    assert ticket.requester == requester
    assert ticket.channel == Channel.API
    assert (ticket.category, ticket.location, ticket.product) == (
        lookups["category"],
        lookups["location"],
        lookups["product"],
    )
    assert ticket.team == triage_team
    assert "team" not in body  # the requester reads the portal's fields (test_requester_rules)
    created = ticket.events.order_by("id").first()
    assert (created.kind, created.actor) == ("created", requester)


def test_missing_and_malformed_fields_are_named_in_the_400(requester):
    response = api_as(requester).post(
        tickets_url(), {"subject": "", "priority": 9, "category": "x"}, format="json"
    )
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"subject", "description", "priority", "category"}
    assert errors["description"] == ["This field is required."]


def test_a_refusal_from_the_service_names_its_field(requester, lookups):
    # Shape is fine (an integer), but no such category: the service says so, beside the field.
    response = api_as(requester).post(
        tickets_url(),
        {"subject": "Printer", "description": "Jammed.", "category": 99999},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"category": ["Unknown category: 99999."]}
    blank = api_as(requester).post(
        tickets_url(), {"subject": "   ", "description": "Jammed."}, format="json"
    )
    assert blank.status_code == 400
    assert list(blank.json()) == ["subject"]


def test_requesters_list_only_their_own_tickets(requester, other_requester, team):
    mine = queued_ticket(requester, team)
    queued_ticket(other_requester, team)
    response = api_as(requester).get(tickets_url())
    assert response.status_code == 200
    assert [t["reference"] for t in response.json()["results"]] == [mine.reference]


def test_agents_list_their_teams_queue_not_other_teams(requester, agent, team, other_team):
    ours = queued_ticket(requester, team)
    queued_ticket(requester, other_team)
    response = api_as(agent).get(tickets_url())
    assert [t["id"] for t in response.json()["results"]] == [ours.pk]


def test_the_list_takes_the_queue_filters(requester, agent, team):
    urgent = queued_ticket(requester, team, subject="Payments down in every store")
    queued_ticket(requester, team, subject="Mouse squeaks")
    client = api_as(agent)
    client.patch(tickets_url(urgent), {"priority": 4, "status": "open"}, format="json")
    by_priority = client.get(tickets_url(), {"priority": 4}).json()["results"]
    by_text = client.get(tickets_url(), {"q": "payments"}).json()["results"]
    by_reference = client.get(tickets_url(), {"q": urgent.reference}).json()["results"]
    unassigned_new = client.get(tickets_url(), {"assignee": "none", "status": "new"}).json()
    assert [t["id"] for t in by_priority] == [urgent.pk]
    assert [t["id"] for t in by_text] == [urgent.pk]
    assert [t["id"] for t in by_reference] == [urgent.pk]
    assert [t["subject"] for t in unassigned_new["results"]] == ["Mouse squeaks"]


def test_an_unknown_filter_value_is_a_400_naming_the_filter(agent):
    response = api_as(agent).get(tickets_url(), {"status": "sleeping"})
    assert response.status_code == 400
    assert list(response.json()) == ["status"]


def test_a_ticket_is_found_by_tracking_number_or_id(requester, team):
    ticket = queued_ticket(requester, team)
    client = api_as(requester)
    by_reference = client.get(tickets_url(ticket))
    by_lower_reference = client.get(f"/api/v1/tickets/{ticket.reference.lower()}/")
    by_id = client.get(f"/api/v1/tickets/{ticket.pk}/")
    assert by_reference.status_code == by_lower_reference.status_code == by_id.status_code == 200
    assert by_reference.json() == by_id.json()
    assert by_reference.json()["subject"] == ticket.subject


def test_another_persons_ticket_does_not_exist_for_a_requester(requester, other_requester, team):
    theirs = queued_ticket(other_requester, team)
    client = api_as(requester)
    assert client.get(tickets_url(theirs)).status_code == 404
    assert client.get(f"/api/v1/tickets/{theirs.pk}/").status_code == 404
    assert client.get("/api/v1/tickets/SB-99999999/").status_code == 404
    assert client.get(f"/api/v1/tickets/SB-{'9' * 30}/").status_code == 404
    assert client.get(f"/api/v1/tickets/SB-{'9' * 20}/comments/").status_code == 404
    assert client.patch(tickets_url(theirs), {"status": "closed"}, format="json").status_code == 404


def test_an_agent_of_another_team_cannot_see_the_ticket(requester, other_agent, team):
    ticket = queued_ticket(requester, team)
    assert api_as(other_agent).get(tickets_url(ticket)).status_code == 404


def test_an_agent_changes_fields_and_the_history_records_it(requester, agent, team, other_team):
    ticket = queued_ticket(requester, team)
    response = api_as(agent).patch(
        tickets_url(ticket),
        {"status": "pending", "priority": 3, "tags": ["Till", "printer"]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["priority"], body["tier"]) == ("pending", 3, 1)
    assert body["tags"] == ["printer", "till"]
    event = ticket.events.latest("id")
    assert event.actor == agent
    assert event.changes["status"] == {"before": "new", "after": "pending"}


def test_an_agent_can_hand_a_ticket_to_another_team(requester, agent, team, other_team):
    ticket = queued_ticket(requester, team)
    response = api_as(agent).patch(tickets_url(ticket), {"team": other_team.pk}, format="json")
    assert response.status_code == 200
    assert response.json()["team"]["id"] == other_team.pk
    # Now it is Networks' ticket: the Service Desk agent no longer sees it.
    assert api_as(agent).get(tickets_url(ticket)).status_code == 404


def test_patch_refusals_name_the_field(requester, agent, team):
    ticket = queued_ticket(requester, team)
    client = api_as(agent)
    bad_shape = client.patch(tickets_url(ticket), {"status": "done", "tier": 7}, format="json")
    assert bad_shape.status_code == 400
    assert set(bad_shape.json()) == {"status", "tier"}
    not_an_agent = client.patch(tickets_url(ticket), {"assignee": requester.pk}, format="json")
    assert not_an_agent.status_code == 400
    assert "is not an active agent" in not_an_agent.json()["assignee"][0]
    bad_tag = client.patch(tickets_url(ticket), {"tags": ["no spaces"]}, format="json")
    assert list(bad_tag.json()) == ["tags"]
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW
    assert ticket.assignee is None


def test_a_requester_may_read_but_not_change_their_ticket(requester, team):
    ticket = queued_ticket(requester, team)
    client = api_as(requester)
    response = client.patch(tickets_url(ticket), {"status": "closed"}, format="json")
    assert response.status_code == 403
    assert client.post(tickets_url(ticket, "take")).status_code == 403
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


def test_put_is_not_offered(requester, agent, team):
    ticket = queued_ticket(requester, team)
    assert api_as(agent).put(tickets_url(ticket), {}, format="json").status_code == 405


def test_an_agent_takes_a_new_ticket(requester, agent, team):
    ticket = queued_ticket(requester, team)
    response = api_as(agent).post(tickets_url(ticket, "take"))
    assert response.status_code == 200
    assert response.json()["assignee"] == {"id": agent.pk, "name": "Alex Agent"}
    assert response.json()["status"] == "open"


def test_the_list_costs_the_same_queries_for_5_rows_or_30(
    requester, agent, team, lookups, django_assert_max_num_queries
):
    client = api_as(agent)
    for n in range(30):
        ticket = queued_ticket(requester, team, subject=f"Printer {n} jammed")
        client.patch(
            tickets_url(ticket),
            {"tags": ["printer"], "assignee": agent.pk, **{k: v.pk for k, v in lookups.items()}},
            format="json",
        )
    client.get(tickets_url())  # lists read their lookups once per process after a change
    counts = []
    for size in (5, 30):
        with django_assert_max_num_queries(8) as captured:
            response = client.get(tickets_url(), {"page_size": size})
        assert len(response.json()["results"]) == size
        counts.append(len(captured))
    assert counts[0] == counts[1]
