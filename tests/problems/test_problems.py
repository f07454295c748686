"""Problems, from the desk's side: the five whys, the workaround on every linked ticket, linking
(one, many, by rule), and the fix that tells each requester once and resolves their tickets."""

from datetime import date

import pytest
from django.urls import reverse

from apps.problems.models import Problem, ProblemLink, ProblemStatus
from apps.problems.services import problem_create, problem_link, problem_update
from apps.routing import engine
from apps.routing.rules import rule_create
from apps.tickets.models import Resolution, Status, Ticket, TicketEvent
from apps.tickets.services import ticket_create
from tests.conftest import signed_in
from tests.factories import UserFactory, agent_of


@pytest.fixture
def tickets(team, requester, other_requester):
    """Three card-reader tickets in the Service Desk: two of Rita's, one of Oscar's."""
    made = [
        ticket_create(requester=who, subject=f"Card reader offline at till {n}", description="x")
        for n, who in enumerate([requester, requester, other_requester], start=1)
    ]
    Ticket.objects.filter(pk__in=[t.pk for t in made]).update(team=team)
    return [Ticket.objects.get(pk=t.pk) for t in made]


@pytest.fixture
def problem(agent, team):
    return problem_create(
        actor=agent,
        title="Card readers drop offline at night",
        team=team,
        whys=["Readers lose their pairing", "The nightly update restarts the hub"],
    )


def fix(problem, actor, **extra):
    return problem_update(
        problem=problem, actor=actor, data={"status": ProblemStatus.FIXED, **extra}
    )


def test_a_problem_opened_from_a_ticket_links_it_and_its_workaround_shows_on_the_ticket(
    agent_client, agent, team, tickets
):
    ticket = tickets[0]
    response = agent_client.post(
        reverse("problems:new") + f"?ticket={ticket.reference}",
        {
            "title": "Card readers drop offline at night",
            "team": team.pk,
            "status": "known_error",
            "workaround": "Unplug the reader for ten seconds, then pair it again.",
            "why_1": "The reader loses its pairing",
            "why_2": "The hub restarts at 02:00",
            "why_3": "The nightly update restarts it",
        },
    )

    problem = Problem.objects.get()
    assert response.status_code == 302
    assert [w.answer for w in problem.whys.all()][2] == "The nightly update restarts it"
    assert ProblemLink.objects.get().ticket == ticket
    page = agent_client.get(reverse("workspace:ticket", args=[ticket.reference])).content.decode()
    assert "Unplug the reader for ten seconds" in page
    assert problem.reference in page


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"status": "known_error"}, "workaround", "needs its workaround"),
        ({"status": "fix_planned"}, "fix_planned_for", "needs its date"),
        ({"is_public": True}, "public_summary", "plain words"),
        ({"title": "two\nlines"}, "title", "Title"),
    ],
)
def test_each_step_asks_for_what_it_needs_in_words(problem, agent, data, field, words):
    from apps.core.errors import ApplicationError

    with pytest.raises(ApplicationError) as refused:
        problem_update(problem=problem, actor=agent, data=data)

    assert refused.value.field == field
    assert words in refused.value.message
    assert Problem.objects.get().status == ProblemStatus.INVESTIGATING


def test_only_the_owning_team_changes_a_problem(problem, other_agent):
    page = signed_in(other_agent).post(
        reverse("problems:edit", args=[problem.reference]),
        {"title": "Hijacked", "team": problem.team_id, "status": "investigating"},
    )

    assert page.status_code == 403
    assert Problem.objects.get().title == "Card readers drop offline at night"


def test_several_tickets_are_linked_at_once_and_only_those_the_agent_works(
    agent_client, problem, tickets, other_team
):
    elsewhere = ticket_create(
        requester=tickets[0].requester, subject="Other team's", description="x"
    )
    Ticket.objects.filter(pk=elsewhere.pk).update(team=other_team)
    chosen = [t.reference for t in tickets[1:]] + [elsewhere.reference, "SB-99999999"]

    shown = agent_client.get(reverse("problems:link-many"), {"ticket": chosen}).content.decode()
    done = agent_client.post(
        reverse("problems:link-many"), {"ticket": chosen, "problem": problem.pk}
    )

    assert tickets[1].reference in shown
    assert "Other team" not in shown  # its subject never reaches an agent who cannot see it
    assert done.status_code == 302
    linked = set(ProblemLink.objects.values_list("ticket_id", flat=True))
    assert linked == {tickets[1].pk, tickets[2].pk}


def test_a_ticket_moved_to_another_problem_says_so_in_both_histories(problem, agent, team, tickets):
    ticket = tickets[0]
    problem_link(problem=problem, tickets=[ticket], actor=agent, via="ticket page")
    second = problem_create(actor=agent, title="Hub firmware", team=team)

    result = problem_link(problem=second, tickets=[ticket], actor=agent, via="ticket page")

    assert len(result.moved) == 1
    assert ProblemLink.objects.get(ticket=ticket).problem == second
    kinds = list(
        TicketEvent.objects.filter(ticket=ticket, kind__startswith="problem_")
        .order_by("pk")
        .values_list("kind", flat=True)
    )
    assert kinds == ["problem_linked", "problem_unlinked", "problem_linked"]


def test_the_fix_tells_each_requester_once_naming_all_their_open_tickets(
    problem, agent, tickets, requester, other_requester, mailoutbox,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    problem_link(problem=problem, tickets=tickets, actor=agent, via="ticket page")
    Ticket.objects.filter(pk=tickets[2].pk).update(status=Status.RESOLVED)  # Oscar's is done

    with django_capture_on_commit_callbacks(execute=True):
        fix(problem, agent)
        problem_update(problem=Problem.objects.get(), actor=agent, data={"root_cause": "Hub"})

    told = [m for m in mailoutbox if m.subject.startswith("Fixed")]
    assert [m.to for m in told] == [[requester.email]]
    assert tickets[0].reference in told[0].body
    assert tickets[1].reference in told[0].body
    assert "Card readers" not in told[0].subject  # not public: the internal title stays inside


def test_a_requester_who_turned_the_news_off_is_not_told(
    problem, agent, tickets, requester, mailoutbox, django_capture_on_commit_callbacks
):
    requester.mail_opt_outs = ["problems.fixed"]
    requester.save()
    problem_link(problem=problem, tickets=tickets[:1], actor=agent, via="ticket page")

    with django_capture_on_commit_callbacks(execute=True):
        fix(problem, agent)

    assert not [m for m in mailoutbox if m.subject.startswith("Fixed")]


def test_the_linked_tickets_are_resolved_in_bulk_with_the_problem_as_resolution(
    agent_client, agent, problem, tickets, other_team
):
    problem_link(problem=problem, tickets=tickets, actor=agent, via="ticket page")
    Ticket.objects.filter(pk=tickets[2].pk).update(team=other_team)  # moved on meanwhile
    fix(problem, agent)

    agent_client.post(reverse("problems:resolve-tickets", args=[problem.reference]))

    states = dict(Ticket.objects.values_list("pk", "status"))
    assert states[tickets[0].pk] == states[tickets[1].pk] == Status.RESOLVED
    assert states[tickets[2].pk] != Status.RESOLVED  # not this agent's to resolve
    assert Ticket.objects.get(pk=tickets[0].pk).resolution == Resolution.PROBLEM


def test_resolving_before_the_fix_is_refused(agent_client, agent, problem, tickets):
    problem_link(problem=problem, tickets=tickets[:1], actor=agent, via="ticket page")

    agent_client.post(reverse("problems:resolve-tickets", args=[problem.reference]))

    assert Ticket.objects.get(pk=tickets[0].pk).status != Status.RESOLVED


def test_a_routing_rule_links_new_tickets_to_a_problem(admin_user, problem, requester):
    engine.forget_compiled()
    rule_create(
        actor=admin_user,
        data={
            "name": "Card readers",
            "conditions": {"all": [{"field": "subject", "op": "contains", "value": "reader"}]},
            "actions": [{"action": "link_problem", "params": {"problem": problem.reference}}],
        },
    )

    ticket = ticket_create(requester=requester, subject="Card reader dead", description="x")

    assert ProblemLink.objects.get(ticket=ticket).problem == problem
    engine.forget_compiled()


def test_a_rule_cannot_name_a_problem_that_does_not_exist(admin_user):
    from apps.core.errors import ApplicationError

    with pytest.raises(ApplicationError, match="no open problem"):
        rule_create(
            actor=admin_user,
            data={
                "name": "Bad",
                "conditions": {"all": []},
                "actions": [{"action": "link_problem", "params": {"problem": "PRB-999"}}],
            },
        )


def test_the_problem_list_costs_the_same_for_few_and_many(
    agent_client, agent, team, django_assert_max_num_queries
):
    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert agent_client.get(reverse("problems:list")).status_code == 200
        return len(queries)

    problem_create(actor=agent, title="One", team=team)
    few = count()
    for n in range(15):
        problem_create(actor=agent, title=f"Problem {n}", team=team)
    assert count() == few


def test_a_new_lead_can_open_problems_for_their_team_only_as_agents(requester_client):
    page = requester_client.get(reverse("problems:list"))
    assert page.status_code == 302  # requesters are sent to their own requests
    assert requester_client.post(reverse("problems:new"), {"title": "x"}).status_code == 302
    assert not Problem.objects.exists()


def test_a_planned_fix_date_is_kept(problem, agent):
    problem_update(
        problem=problem,
        actor=agent,
        data={"status": "fix_planned", "fix_planned_for": date(2026, 12, 14)},
    )
    assert Problem.objects.get().fix_planned_for == date(2026, 12, 14)


def test_a_new_agent_of_the_team_may_edit(problem, team):
    newcomer = agent_of(team, email="new@example.com")
    UserFactory(email="x@example.com")
    updated = problem_update(problem=problem, actor=newcomer, data={"root_cause": "Hub firmware"})
    assert updated.root_cause == "Hub firmware"


def test_the_insights_drill_down_offers_to_link_the_tickets_it_lists(lead, tickets):
    from apps.insights.facts import facts_refresh

    facts_refresh([t.pk for t in tickets])  # the fixture moved them behind the services' back
    page = signed_in(lead).get(reverse("insights:tickets")).content.decode()

    assert 'formaction="/desk/problems/link/"' in page
    assert "Link to a problem…" in page
    for ticket in tickets:
        assert f'name="ticket" value="{ticket.reference}"' in page
