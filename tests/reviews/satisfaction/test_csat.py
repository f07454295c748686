"""CSAT joins the leads' figures: a small desk whose ratings are known gives exactly the share of
satisfied requesters per agent, team, category and week; tickets nobody rated are in no
denominator, and the pages show the figure."""

from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from apps.insights import selectors
from apps.insights.facts import facts_refresh
from apps.insights.scope import Scope
from apps.reviews.satisfaction.models import Rating
from apps.tickets.models import Status
from tests.conftest import signed_in
from tests.factories import CategoryFactory, TicketFactory, agent_of

pytestmark = pytest.mark.django_db

WEEK1, WEEK2 = date(2026, 3, 2), date(2026, 3, 9)  # Mondays
SCOPE = Scope(start=WEEK1, end=date(2026, 3, 15))


def noon(day: date, plus_days: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day + plus_days, 12, tzinfo=UTC)


@pytest.fixture
def desk(requester, agent, team, other_agent, other_team):
    """Nine tickets: (resolved in week, agent, team, category, rating)."""
    agent2 = agent_of(team, email="mia@example.com", full_name="Mia Novak")
    a, b = CategoryFactory(name="Till frozen"), CategoryFactory(name="Card declined")
    rows = [
        (WEEK1, agent, team, a, "good"),  # t1
        (WEEK1, agent, team, a, "bad"),  # t2
        (WEEK1, agent, team, b, None),  # t3: not rated
        (WEEK1, agent2, team, b, "good"),  # t4
        (WEEK2, agent2, team, a, "good"),  # t5
        (WEEK2, other_agent, other_team, a, "bad"),  # t6
        (WEEK2, other_agent, other_team, b, None),  # t7: not rated
        (WEEK2, agent, team, a, "bad"),  # t8
    ]
    tickets = []
    for n, (week, who, its_team, category, score) in enumerate(rows):
        ticket = TicketFactory(
            requester=requester,
            team=its_team,
            category=category,
            assignee=who,
            status=Status.RESOLVED,
            created_at=noon(week),
            resolved_at=noon(week, n % 3),
        )
        if score:
            Rating.objects.create(
                ticket=ticket, rated_by=requester, score=score, agent=who, team=its_team
            )
        tickets.append(ticket)
    # Rated, then reopened: no longer resolved, so in no figure of resolved tickets.
    reopened = TicketFactory(
        requester=requester, team=team, category=a, assignee=agent, created_at=noon(WEEK1)
    )
    Rating.objects.create(ticket=reopened, rated_by=requester, score="good", agent=agent)
    facts_refresh([t.pk for t in [*tickets, reopened]])
    return {"agent2": agent2, "a": a, "b": b, "tickets": tickets}


def figures(rows) -> dict:
    return {row.label: (round(row.value, 2), row.count) for row in rows}


def test_csat_over_the_period_counts_only_rated_tickets(desk):
    kpis = {k.name: k for k in selectors.kpis(SCOPE)}
    assert kpis["csat"].value == pytest.approx(50.0)  # t1, t4, t5 of six rated
    assert kpis["ratings"].value == 6
    assert kpis["resolved"].value == 8  # the two not rated are resolved all the same
    assert kpis["csat"].unit == "percent"
    assert kpis["csat"].better == "higher"
    assert kpis["csat"].label == "Satisfied requesters"


def test_csat_per_agent_team_category_and_week(desk, agent, other_agent):
    assert figures(selectors.breakdown(SCOPE, "csat", "agent")) == {
        "Mia Novak": (100.0, 2),
        "Alex Agent": (33.33, 3),
        "Nia Network": (0.0, 1),
    }
    assert figures(selectors.breakdown(SCOPE, "csat", "team")) == {
        "Service Desk": (60.0, 5),
        "Networks": (0.0, 1),
    }
    assert figures(selectors.breakdown(SCOPE, "csat", "category")) == {
        "Card declined": (100.0, 1),
        "Till frozen": (40.0, 5),
    }
    weeks = selectors.series(SCOPE, "csat", "week")
    assert [(day, round(value, 2)) for day, value in weeks] == [
        (WEEK1, 66.67),
        (WEEK2, 33.33),
    ]


def test_a_team_reader_counts_only_their_team(desk, team):
    scope = Scope(start=SCOPE.start, end=SCOPE.end, team_ids=(team.pk,))
    kpis = {k.name: k.value for k in selectors.kpis(scope)}
    assert kpis["csat"] == pytest.approx(60.0)
    assert kpis["ratings"] == 5


def test_an_agents_row_drills_down_to_the_tickets_their_requesters_were_happy_with(desk, agent):
    tickets = selectors.drilldown(SCOPE, kpi="csat", by="agent", key=str(agent.pk))
    assert list(tickets) == [desk["tickets"][0]]  # t1: the one good rating of Alex's three


def test_the_pages_show_csat_and_cut_it_by_agent(desk, lead, admin_user):
    params = {"start": SCOPE.start.isoformat(), "end": SCOPE.end.isoformat()}
    dashboard = signed_in(lead).get(reverse("insights:dashboard"), params)
    assert "Satisfied requesters" in dashboard.content.decode()
    assert any(kpi.name == "csat" and values for kpi, values in dashboard.context["cards"])

    page = signed_in(admin_user).get(
        reverse("insights:kpi", args=["csat"]), {**params, "by": "agent"}
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "Mia Novak" in html
    assert "Alex Agent" in html
    rows = signed_in(admin_user).get(
        reverse("insights:kpi", args=["csat"]), {**params, "by": "agent", "export": "json"}
    )
    assert {r["label"]: r["count"] for r in rows.json()["rows"]} == {
        "Mia Novak": 2,
        "Alex Agent": 3,
        "Nia Network": 1,
    }
