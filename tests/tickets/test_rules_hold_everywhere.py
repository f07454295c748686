"""What the agent's pages refuse, the API and every other path refuse too: finishing a blocked
ticket (resolved or closed), moving the tier without escalating, assigning or making holder
someone the form does not offer, and requesters reading or setting the desk's fields."""

import pytest
from django.urls import reverse

from apps.core.errors import ApplicationError
from apps.subtasks.models import SubtaskKind
from apps.subtasks.services import subtask_create
from apps.tickets import extensions
from apps.tickets.models import Status, Ticket
from apps.tickets.services import comment_add, ticket_update
from apps.tickets.tiers.services import ticket_holder_set
from tests.conftest import signed_in

from .api_support import api_as, queued_ticket, tickets_url


@pytest.fixture
def blocked(requester, team, agent):
    """A ticket of the Service Desk with an open blocking subtask."""
    ticket = queued_ticket(requester, team, agent=agent)
    kind, _ = SubtaskKind.objects.get_or_create(name="Data fix")
    subtask_create(
        ticket=ticket, actor=agent, title="Fix the price file", kind=kind, assignee_user=agent
    )
    return ticket


@pytest.fixture
def root_cause_required(monkeypatch):
    """A guard like routing's "name the root cause first", registered the same way."""
    guards = dict(extensions._resolve_guards)
    monkeypatch.setattr(extensions, "_resolve_guards", guards)
    extensions.resolve_guard("test.root_cause", lambda ticket: ["name the root cause first"])


# --- the resolve gate: resolved and closed alike -----------------------------------------------


@pytest.mark.parametrize("status", [Status.RESOLVED, Status.CLOSED])
def test_a_blocking_subtask_stops_resolving_and_closing_through_the_api(blocked, agent, status):
    response = api_as(agent).patch(
        tickets_url(blocked), {"status": status, "open_subtasks": "keep"}, format="json"
    )
    assert response.status_code == 400
    assert "Fix the price file" in response.json()["status"][0]
    blocked.refresh_from_db()
    assert blocked.status == Status.NEW


@pytest.mark.parametrize("status", [Status.RESOLVED, Status.CLOSED])
def test_a_blocking_subtask_stops_resolving_and_closing_on_the_web(blocked, agent, status):
    response = signed_in(agent).post(
        reverse("workspace:properties", args=[blocked.reference]),
        {"status": status, "priority": blocked.priority, "team": blocked.team_id},
    )
    assert response.status_code == 400
    assert "Fix the price file" in response.content.decode()
    blocked.refresh_from_db()
    assert blocked.status == Status.NEW


def test_closing_is_no_way_around_a_required_root_cause(
    requester, team, agent, root_cause_required
):
    ticket = queued_ticket(requester, team, agent=agent)
    with pytest.raises(ApplicationError) as refused:
        ticket_update(ticket=ticket, actor=agent, data={"status": Status.CLOSED})
    assert refused.value.field == "status"
    assert "cannot be closed yet: name the root cause first" in refused.value.message
    response = api_as(agent).patch(tickets_url(ticket), {"status": "closed"}, format="json")
    assert response.status_code == 400
    assert Ticket.objects.get(pk=ticket.pk).status == Status.NEW


def test_closing_a_resolved_ticket_asks_nothing_again(requester, team, agent, monkeypatch):
    ticket = queued_ticket(requester, team, agent=agent)
    ticket_update(ticket=ticket, actor=agent, data={"status": Status.RESOLVED})
    guards = dict(extensions._resolve_guards)
    monkeypatch.setattr(extensions, "_resolve_guards", guards)
    extensions.resolve_guard("test.late", lambda ticket: ["something new"])
    ticket_update(ticket=ticket, actor=None, data={"status": Status.CLOSED}, source="auto-close")
    assert Ticket.objects.get(pk=ticket.pk).status == Status.CLOSED


# --- the tier moves only by escalation or hand-back --------------------------------------------


def test_a_patch_of_the_tier_is_a_400_pointing_to_escalate(requester, team, agent):
    ticket = queued_ticket(requester, team, agent=agent)
    response = api_as(agent).patch(tickets_url(ticket), {"tier": 3, "priority": 4}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["tier"]
    assert f"/api/v1/tickets/{ticket.reference}/escalate/" in response.json()["tier"][0]
    ticket.refresh_from_db()
    assert (ticket.tier, ticket.priority) == (1, 2)


def test_the_properties_form_cannot_move_the_tier(requester, team, agent):
    ticket = queued_ticket(requester, team, agent=agent)
    client = signed_in(agent)
    page = client.get(reverse("workspace:ticket", args=[ticket.reference])).content.decode()
    assert 'name="tier"' not in page.split('id="properties"')[1].split("</section>")[0]
    client.post(
        reverse("workspace:properties", args=[ticket.reference]),
        {"status": "open", "priority": 2, "team": team.pk, "tier": 3},
    )
    ticket.refresh_from_db()
    assert ticket.tier == 1
    assert ticket.status == Status.OPEN  # the rest of the form still applies


def test_the_service_refuses_the_tier_from_a_person(requester, team, agent):
    ticket = queued_ticket(requester, team, agent=agent)
    with pytest.raises(ApplicationError) as refused:
        ticket_update(ticket=ticket, actor=agent, data={"tier": 2})
    assert (refused.value.field, refused.value.code) == ("tier", "use_escalation")


def test_the_set_tier_rule_action_still_moves_it(requester, team, agent):
    from apps.tickets.actions import action_apply

    ticket = queued_ticket(requester, team, agent=agent)
    action_apply(name="set_tier", ticket=ticket, params={"tier": 2}, source="rule: VIP")
    assert Ticket.objects.get(pk=ticket.pk).tier == 2


# --- assignee and holder: only whom the form offers ---------------------------------------------


def test_an_agent_cannot_assign_someone_outside_the_team_through_the_api(
    requester, team, agent, other_agent
):
    ticket = queued_ticket(requester, team, agent=agent)
    response = api_as(agent).patch(tickets_url(ticket), {"assignee": other_agent.pk}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["assignee"]
    assert Ticket.objects.get(pk=ticket.pk).assignee is None


def test_an_agent_cannot_assign_someone_outside_the_team_on_the_web(
    requester, team, agent, other_agent
):
    ticket = queued_ticket(requester, team, agent=agent)
    response = signed_in(agent).post(
        reverse("workspace:properties", args=[ticket.reference]),
        {"status": "new", "priority": 2, "team": team.pk, "assignee": other_agent.pk},
    )
    assert response.status_code == 400
    assert Ticket.objects.get(pk=ticket.pk).assignee is None


def test_a_team_mate_can_be_assigned_and_anyone_may_take_what_they_work(
    requester, team, agent, lead
):
    ticket = queued_ticket(requester, team, agent=agent)
    response = api_as(agent).patch(tickets_url(ticket), {"assignee": lead.pk}, format="json")
    assert response.status_code == 200
    assert response.json()["assignee"]["id"] == lead.pk
    assert api_as(agent).post(tickets_url(ticket, "take")).status_code == 200


def test_the_holder_must_be_someone_the_holder_dialog_offers(requester, team, agent, other_agent):
    ticket = queued_ticket(requester, team, agent=agent)
    response = api_as(agent).put(
        f"/api/v1/tickets/{ticket.reference}/holder/", {"holder": other_agent.pk}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["holder"]
    web = signed_in(agent).post(
        reverse("tiers:holder", args=[ticket.reference]), {"holder": other_agent.pk}
    )
    assert web.status_code == 302
    with pytest.raises(ApplicationError):
        ticket_holder_set(ticket=ticket, holder=other_agent, actor=agent)
    assert Ticket.objects.get(pk=ticket.pk).holder is None


# --- requesters read the portal's fields and cannot set the priority ----------------------------


PORTAL_FIELDS = {
    "id",
    "reference",
    "subject",
    "description",
    "status",
    "impact",  # the requester's own answers on intake (support's priority stays hidden)
    "urgency",
    "category",
    "location",
    "product",
    "custom_fields",  # their own answers
    "created_at",
    "updated_at",
    "comments",
}


def test_a_requester_reads_only_what_the_portal_shows(requester, team, agent):
    ticket = queued_ticket(requester, team, agent=agent)
    ticket_update(ticket=ticket, actor=agent, data={"assignee": agent, "tags": ["vip-watch"]})
    comment_add(ticket=ticket, author=agent, body="We are on it.")
    comment_add(ticket=ticket, author=agent, body="SECRET: blame the vendor", internal=True)
    client = api_as(requester)
    one = client.get(tickets_url(ticket)).json()
    listed = client.get(tickets_url()).json()["results"][0]
    for body in (one, listed):
        assert set(body) == PORTAL_FIELDS
        assert [c["body"] for c in body["comments"]] == ["We are on it."]
        assert "vip-watch" not in str(body)
        assert "SECRET" not in str(body)
    # Agents working it still read the desk's fields.
    assert {"assignee", "tier", "tags", "priority"} <= set(
        api_as(agent).get(tickets_url(ticket)).json()
    )


def test_a_requester_cannot_set_the_priority(requester, triage_team):
    response = api_as(requester).post(
        tickets_url(),
        {"subject": "Everything is urgent", "description": "Really.", "priority": 4},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["priority"]
    assert not Ticket.objects.exists()
    patch_attempt = queued_ticket(requester, triage_team)
    response = api_as(requester).patch(tickets_url(patch_attempt), {"priority": 4}, format="json")
    assert response.status_code == 403
    assert Ticket.objects.get(pk=patch_attempt.pk).priority == 2
