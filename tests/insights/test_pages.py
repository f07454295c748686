"""The Insights pages as leads, agents and outsiders use them: the figures shown are the ones
counted from the raw rows, a team's readers see only their teams, every table exports as CSV and
JSON, a period's tickets export line by line, and a figure drills down to its tickets."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.insights.facts import facts_rebuild
from apps.insights.models import VolumeGoal
from apps.routing.models import RootCause, TicketClassification
from apps.tickets.models import Priority, Ticket
from tests.conftest import signed_in
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(team, other_team, requester):
    """Twelve tickets of the lead's team this week (three regressions, one with a formula for a
    subject), five of another team, all with their figures."""
    now = timezone.now()
    cause = RootCause.objects.create(name="Expired password")
    ours = [
        TicketFactory(team=team, requester=requester, created_at=now - timedelta(hours=n + 1))
        for n in range(12)
    ]
    ours[0].subject = '=HYPERLINK("http://evil.example")'
    ours[0].priority = Priority.URGENT
    ours[0].save()
    for ticket in ours[:3]:
        TicketClassification.objects.create(ticket=ticket, root_cause=cause, is_regression=True)
    theirs = [
        TicketFactory(team=other_team, requester=requester, created_at=now - timedelta(hours=2))
        for _ in range(5)
    ]
    facts_rebuild()
    return {"ours": ours, "theirs": theirs, "cause": cause}


def test_a_lead_sees_the_true_figures_of_their_team(desk, lead):
    page = signed_in(lead).get("/insights/?period=4_weeks")
    assert page.status_code == 200
    kpis = {k.name: k for k, _ in page.context["cards"]}
    created = Ticket.objects.filter(
        team__in=lead.team_ids, created_at__gte=timezone.now() - timedelta(days=28)
    )
    assert kpis["volume"].value == created.count() == 12
    assert kpis["regressions"].value == 3
    assert kpis["high_volume"].value == 1
    body = page.content.decode()
    assert "Tickets a week" in body
    assert "Expired password" in body


def test_another_teams_agent_never_counts_this_team(desk, other_agent):
    page = signed_in(other_agent).get("/insights/?period=4_weeks")
    kpis = {k.name: k for k, _ in page.context["cards"]}
    assert kpis["volume"].value == 5
    refused = signed_in(other_agent).get(f"/insights/?team={desk['ours'][0].team_id}")
    assert "You cannot see that team" in refused.content.decode()
    listing = signed_in(other_agent).get("/insights/tickets/?period=4_weeks")
    assert listing.context["page"].paginator.count == 5


def test_requesters_and_strangers_find_no_insights(desk, requester, client):
    assert signed_in(requester).get("/insights/").status_code == 404
    assert signed_in(requester).get("/api/v1/insights/kpis/").status_code == 404
    assert client.get("/insights/").status_code == 302  # to the sign-in page


def test_a_pareto_bar_drills_down_to_exactly_its_tickets_and_exports_them(desk, lead):
    reader = signed_in(lead)
    pareto = reader.get("/insights/pareto/?period=4_weeks")
    [row] = [r for r in pareto.context["rows"] if r.label == "Expired password"]
    drill = reader.get(f"/insights/tickets/?period=4_weeks&by=root_cause&key={row.key}")
    assert drill.context["page"].paginator.count == row.value == 3

    export = reader.get(f"/insights/tickets.csv?period=4_weeks&by=root_cause&key={row.key}")
    lines = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert lines[0][0] == "reference"
    assert len(lines) == 1 + 3
    by_reference = {line[0]: line for line in lines[1:]}
    first = by_reference[desk["ours"][0].reference]
    assert first[1].startswith("'=")  # a spreadsheet shows the formula as text, never runs it
    assert first[14] == "Expired password"
    assert first[16] == "yes"


def test_every_table_comes_as_csv_and_json(desk, lead):
    reader = signed_in(lead)
    as_json = reader.get("/insights/?period=4_weeks&export=json").json()
    volume = next(row for row in as_json["rows"] if row["name"] == "volume")
    assert volume["value"] == 12
    as_csv = reader.get("/insights/figures/volume/?period=4_weeks&by=team&export=csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.content.decode())))
    assert [(r["label"], r["count"]) for r in rows] == [("Service Desk", "12")]
    pareto = reader.get("/insights/pareto/?period=4_weeks&export=json").json()
    assert pareto["rows"][-1]["cumulative"] == 100
    assert reader.get("/insights/flow/?period=4_weeks&export=csv").status_code == 200


def test_the_api_gives_the_same_figures_and_names_a_bad_parameter(desk, lead):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(lead)
    kpis = api.get("/api/v1/insights/kpis/", {"period": "4_weeks"}).json()["results"]
    assert next(k for k in kpis if k["name"] == "volume")["value"] == 12
    detail = api.get(
        "/api/v1/insights/kpis/regressions/", {"period": "4_weeks", "by": "root_cause"}
    )
    assert detail.json()["breakdown"][0]["count"] == 3
    bad = api.get("/api/v1/insights/kpis/", {"period": "custom", "start": "yesterday"})
    assert bad.status_code == 400
    assert "start" in bad.json()
    assert api.get("/api/v1/insights/kpis/nonsense/").status_code == 404


def test_a_lead_sets_the_weekly_goal_an_agent_cannot(desk, lead, agent, team):
    assert (
        signed_in(agent)
        .post("/insights/goals/", {"team": team.pk, "tickets_per_week": 40})
        .status_code
        == 403
    )
    signed_in(lead).post("/insights/goals/", {"team": team.pk, "tickets_per_week": "50"})
    assert VolumeGoal.objects.get(team=team).tickets_per_week == 50
    page = signed_in(lead).get(f"/insights/?team={team.pk}")
    assert page.context["goal"] == 50
    assert "Goal" in page.content.decode()
    bad = signed_in(lead).post(
        "/insights/goals/", {"team": team.pk, "tickets_per_week": "fifty"}, follow=True
    )
    assert "whole number" in bad.content.decode()


def test_the_dashboard_costs_the_same_queries_for_many_tickets(
    team, lead, requester, django_assert_max_num_queries
):
    reader = signed_in(lead)
    reader.get("/insights/")  # warm the session and lookups
    for _n in range(40):
        TicketFactory(team=team, requester=requester)
    facts_rebuild()
    with django_assert_max_num_queries(45) as few:
        reader.get("/insights/")
    count = len(few.captured_queries)
    for _n in range(40):
        TicketFactory(team=team, requester=requester)
    facts_rebuild()
    with django_assert_max_num_queries(count):
        reader.get("/insights/")


def test_a_bad_period_is_explained_not_a_500(desk, lead):
    page = signed_in(lead).get("/insights/?period=custom&start=2026-13-01")
    assert page.status_code == 200
    assert "is not a date" in page.content.decode()


def test_agents_see_insights_in_their_navigation(agent, requester):
    assert "/insights/" in signed_in(agent).get("/desk/").content.decode()
    assert "/insights/" not in signed_in(requester).get("/portal/").content.decode()


def test_a_weekly_bar_drills_down_to_the_tickets_of_that_week(desk, lead):
    reader = signed_in(lead)
    page = reader.get("/insights/?period=4_weeks").content.decode()
    links = [part.split('"')[0] for part in page.split('href="/insights/tickets/?')[1:]]
    week_links = [link.replace("&amp;", "&") for link in links if "kpi=volume" in link]
    counts = [
        reader.get(f"/insights/tickets/?{link}").context["page"].paginator.count
        for link in week_links
    ]
    assert sum(counts) == 12  # every ticket of the period, each in its week


def test_an_admin_looking_at_one_team_can_still_pick_any_other(desk, admin_user, team, other_team):
    page = signed_in(admin_user).get(f"/insights/?team={team.pk}")
    assert set(page.context["teams"]) >= {team, other_team}
