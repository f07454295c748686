"""Time spent, typed as people say it ("25m", "1h30"), on replies, notes and subtasks; priced at
the team's hourly cost; required where a team says so; summed in insights by problem and
category. A wrong duration is refused in words and leaves nothing behind."""

from decimal import Decimal

import pytest
from django.urls import reverse

from apps.accounts.models import Team
from apps.insights import selectors as insights
from apps.insights.models import TicketFact
from apps.insights.scope import scope_from_params
from apps.problems.services import problem_create, problem_link
from apps.subtasks.models import SubtaskKind
from apps.subtasks.services import subtask_create, subtask_transition
from apps.tickets.models import Comment, Ticket, TimeEntry
from apps.tickets.services import ticket_create
from tests.factories import UserFactory


@pytest.fixture
def priced(team):
    Team.objects.filter(pk=team.pk).update(hourly_cost=Decimal("60.00"))
    team.refresh_from_db()
    return team


@pytest.fixture
def ticket(requester, priced, lookups):
    made = ticket_create(
        requester=requester, subject="Till 2 dead", description="x", category=lookups["category"]
    )
    Ticket.objects.filter(pk=made.pk).update(team=priced)
    return Ticket.objects.get(pk=made.pk)


def reply(client, ticket, **fields):
    data = {"visibility": "internal", "body": "Checked the cabling.", **fields}
    return client.post(reverse("workspace:reply", args=[ticket.reference]), data)


def test_a_note_with_25_minutes_costs_25_at_60_an_hour(agent_client, agent, ticket):
    reply(agent_client, ticket, time_spent="25m")

    entry = TimeEntry.objects.get()
    assert (entry.minutes, entry.cost, entry.person) == (25, Decimal("25.00"), agent)
    assert entry.comment == Comment.objects.get()
    fact = TicketFact.objects.get(ticket=ticket)
    assert fact.cost == 25.0
    assert round(fact.hours_spent, 4) == round(25 / 60, 4)


@pytest.mark.parametrize("typed", ["1h30", "1.5h", "90", "1 h 30 min"])
def test_people_type_durations_their_way(agent_client, ticket, typed):
    reply(agent_client, ticket, time_spent=typed)
    assert TimeEntry.objects.get().minutes == 90


def test_a_wrong_duration_is_refused_in_words_and_nothing_is_kept(agent_client, ticket):
    response = reply(agent_client, ticket, time_spent="half an hour")

    assert response.status_code == 400
    assert "is not a duration" in response.content.decode()
    assert not Comment.objects.exists()
    assert not TimeEntry.objects.exists()


def test_a_team_that_requires_time_refuses_a_note_without_it(agent_client, ticket, priced):
    Team.objects.filter(pk=priced.pk).update(time_entry="required")

    refused = reply(agent_client, ticket)
    kept = reply(agent_client, ticket, time_spent="5m")

    assert refused.status_code == 400
    assert "say how long it took" in refused.content.decode()
    assert kept.status_code == 302
    assert Comment.objects.count() == 1


def test_the_api_takes_time_too_but_does_not_require_it(agent_client, ticket, priced):
    Team.objects.filter(pk=priced.pk).update(time_entry="required")
    url = f"/api/v1/tickets/{ticket.reference}/comments/"

    plain = agent_client.post(url, {"body": "On it.", "is_internal": True})
    timed = agent_client.post(url, {"body": "Done.", "is_internal": True, "time_spent": "1h"})
    wrong = agent_client.post(url, {"body": "x", "is_internal": True, "time_spent": "soon"})

    assert (plain.status_code, timed.status_code, wrong.status_code) == (201, 201, 400)
    assert "time_spent" in wrong.json()
    assert list(TimeEntry.objects.values_list("minutes", flat=True)) == [60]


def test_a_requesters_reply_logs_no_time(requester, ticket):
    from apps.tickets.services import comment_add

    comment_add(ticket=ticket, author=requester, body="Still broken.", time_spent="3h")

    assert not TimeEntry.objects.exists()


def test_a_collaborator_logs_the_time_a_subtask_took(agent, ticket):
    ops = UserFactory(email="ops@example.com")
    subtask = subtask_create(
        ticket=ticket,
        actor=agent,
        title="Swap the till",
        kind=SubtaskKind.objects.first(),
        assignee_user=ops,
    )

    subtask_transition(subtask=subtask, actor=ops, status="done", time_spent="1h")

    entry = TimeEntry.objects.get()
    assert (entry.minutes, entry.cost, entry.subtask_id, entry.person) == (
        60,
        Decimal("60.00"),
        subtask.pk,
        ops,
    )


def test_insights_sum_cost_by_problem_and_by_category(
    agent, agent_client, ticket, requester, lookups, admin_user
):
    other = ticket_create(requester=requester, subject="Till 3 dead", description="x")
    Ticket.objects.filter(pk=other.pk).update(team=ticket.team)
    other.refresh_from_db()
    problem = problem_create(actor=agent, title="Till power supplies", team=ticket.team)
    problem_link(problem=problem, tickets=[ticket], actor=agent, via="ticket page")
    reply(agent_client, ticket, time_spent="30m")
    reply(agent_client, other, time_spent="2h")
    scope = scope_from_params({"period": "12_weeks"}, user=admin_user)

    by_problem = {
        row.label: row.value for row in insights.pareto(scope, by="problem", weight="cost")
    }
    by_category = {row.label: row.value for row in insights.breakdown(scope, "cost", "category")}

    assert by_problem == {f"{problem.reference} Till power supplies": 30.0, "(no problem)": 120.0}
    assert by_category == {lookups["category"].name: 30.0, "(no category)": 120.0}
