"""Pages that cost what they show: the queue, the triage queue and the API list send the same
queries for a few tickets as for many, count no further than "1,000+", page the API by cursor,
and search only within what the reader may see."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.tickets import paging, search
from apps.tickets.models import Priority, Status
from tests.conftest import signed_in
from tests.factories import (
    CategoryFactory,
    MembershipFactory,
    TeamFactory,
    TicketFactory,
    UserFactory,
    agent_of,
)

from .api_support import api_as, tickets_url

pytestmark = pytest.mark.django_db
QUEUE = reverse("workspace:queue")


@pytest.fixture
def lead_of_two(team, other_team):
    """A lead of two teams: the queue reads each team's index and merges them."""
    lead = agent_of(team, email="two@example.com", lead=True)
    MembershipFactory(user=lead, team=other_team, is_lead=True)
    return lead


def queue_queries(client, django_assert_max_num_queries, budget, **params):
    with django_assert_max_num_queries(budget) as captured:
        response = client.get(QUEUE, params)
    assert response.status_code == 200
    return len(captured), response


@pytest.mark.parametrize("params", [{}, {"sort": "sla"}, {"sort": "priority"}, {"per": 100}])
def test_the_queue_costs_the_same_queries_for_few_and_many_tickets(
    lead_of_two, team, other_team, django_assert_max_num_queries, params
):
    client = signed_in(lead_of_two)
    TicketFactory.create_batch(2, team=team)
    few, _ = queue_queries(client, django_assert_max_num_queries, 40, **params)
    TicketFactory.create_batch(60, team=team)
    TicketFactory.create_batch(60, team=other_team, priority=Priority.URGENT)
    many, response = queue_queries(client, django_assert_max_num_queries, 40, **params)

    assert many == few
    rows = response.context["page"].object_list
    assert len(rows) == params.get("per", 25)


def test_a_long_queue_says_how_many_up_to_the_cap_and_pages_on(
    agent, team, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(paging, "COUNT_CAP", 30)
    TicketFactory.create_batch(40, team=team)
    client = signed_in(agent)

    first = client.get(QUEUE)
    html = first.content.decode()
    assert "30+ tickets" in html
    assert "Page 1</span>" in html  # no last page claimed
    second = client.get(QUEUE, {"page": 2})
    assert len(second.context["page"].object_list) == 15
    assert not second.context["page"].has_next()
    seen = {t.pk for t in first.context["page"]} | {t.pk for t in second.context["page"]}
    assert len(seen) == 40


def test_the_queue_shows_what_is_assigned_to_me_in_another_team(agent, team, other_team):
    mine_elsewhere = TicketFactory(team=other_team, assignee=agent, subject="Mine elsewhere")
    TicketFactory(team=other_team, subject="Not mine")
    TicketFactory.create_batch(3, team=team)

    rows = signed_in(agent).get(QUEUE).context["page"].object_list

    assert mine_elsewhere in rows
    assert len(rows) == 4


def test_the_sla_sort_puts_the_earliest_due_first_and_none_last(agent, team):
    now = timezone.now()
    later = TicketFactory(team=team, sla_due_at=now + timedelta(hours=5))
    none = TicketFactory(team=team)
    sooner = TicketFactory(team=team, sla_due_at=now + timedelta(hours=1))

    rows = signed_in(agent).get(QUEUE, {"sort": "sla"}).context["page"].object_list

    assert rows == [sooner, later, none]


def test_triage_costs_the_same_queries_for_few_and_many(
    triage_team, admin_user, django_assert_max_num_queries
):
    client = signed_in(admin_user)
    TicketFactory.create_batch(2, team=triage_team)
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("routing:triage"))
    TicketFactory.create_batch(60, team=triage_team)
    with django_assert_max_num_queries(40) as many:
        response = client.get(reverse("routing:triage"))
    assert response.status_code == 200
    assert len(many) == len(few)


def test_the_api_list_pages_by_cursor_at_a_constant_cost(
    lead_of_two, team, other_team, django_assert_max_num_queries
):
    TicketFactory.create_batch(30, team=team)
    TicketFactory.create_batch(30, team=other_team)
    TicketFactory.create_batch(5)  # in nobody's team here: never listed
    client = api_as(lead_of_two)
    client.get(tickets_url())  # lists read their lookups once per process after a change

    with django_assert_max_num_queries(12) as first_queries:
        first = client.get(tickets_url()).json()
    assert "count" not in first  # nothing counts the whole list
    seen = [t["id"] for t in first["results"]]
    url = first["next"]
    while url:
        with django_assert_max_num_queries(12) as queries:
            body = client.get(url).json()
        assert len(queries) == len(first_queries)
        seen += [t["id"] for t in body["results"]]
        url = body["next"]

    assert len(seen) == len(set(seen)) == 60


def test_a_cursor_keeps_its_place_when_tickets_change_meanwhile(agent, team):
    tickets = TicketFactory.create_batch(6, team=team)
    client = api_as(agent)
    first = client.get(tickets_url(), {"page_size": 3, "sort": "oldest"}).json()
    TicketFactory(team=team)  # newer: sorts after every one of them

    rest = client.get(first["next"]).json()

    listed = [t["id"] for t in first["results"] + rest["results"]]
    assert listed[:6] == [t.pk for t in sorted(tickets, key=lambda t: (t.created_at, t.pk))]


@pytest.mark.parametrize("cursor", ["nonsense", "eyJmIjogWyJ4Il0sICJ2IjogWzFdfQ=="])
def test_a_forged_cursor_is_a_404_not_an_error(agent, team, cursor):
    TicketFactory(team=team)
    response = api_as(agent).get(tickets_url(), {"cursor": cursor})
    assert response.status_code == 404


@pytest.fixture(params=["rare", "common", "many"])
def search_path(request, monkeypatch):
    """Each way search reads its matches: by id from the GIN index (rare words), the list's own
    order testing each ticket (common words), or a GIN subquery (rare lately, many in all)."""
    if request.param == "common":
        monkeypatch.setattr(search, "COMMON_IN_SAMPLE", 1)
    else:  # a sample of one ticket per part: the scope is never "smaller than the sample"
        monkeypatch.setattr(search, "SAMPLE", 1)
        monkeypatch.setattr(search, "COMMON_IN_SAMPLE", 10**9)
    if request.param == "many":
        monkeypatch.setattr(search, "RARE", 0)
    return request.param


@pytest.mark.usefixtures("search_path")
def test_search_never_returns_a_ticket_the_reader_may_not_see(agent, team, other_team):
    ours = TicketFactory(team=team, subject="Printer jams on floor 2")
    theirs = TicketFactory(team=other_team, subject="Printer jams on floor 3")
    requester = UserFactory()
    asked = TicketFactory(team=other_team, requester=requester, subject="Printer jammed again")

    queue = signed_in(agent).get(QUEUE, {"q": "printer", "status": ""})
    api_agent = api_as(agent).get(tickets_url(), {"q": "printer jam"}).json()["results"]
    api_requester = api_as(requester).get(tickets_url(), {"q": "printer"}).json()["results"]

    assert list(queue.context["page"].object_list) == [ours]
    assert [t["id"] for t in api_agent] == [ours.pk]
    assert [t["id"] for t in api_requester] == [asked.pk]
    assert theirs.pk not in {t["id"] for t in api_agent + api_requester}


@pytest.mark.usefixtures("search_path")
def test_search_matches_words_and_their_beginnings_and_tracking_numbers(agent, team):
    printer = TicketFactory(team=team, subject="Printer offline", description="Since Monday.")
    wifi = TicketFactory(team=team, subject="No network", description="The Wi-Fi drops often.")
    TicketFactory(team=team, subject="Mouse squeaks", description="Left button.")
    client = api_as(agent)

    def found(q):
        return {t["id"] for t in client.get(tickets_url(), {"q": q}).json()["results"]}

    assert found("print") == {printer.pk}
    assert found("wi-fi drops") == {wifi.pk}
    assert found(wifi.reference) == {wifi.pk}
    assert found("keyboard") == set()


@pytest.mark.postgresql
def test_a_word_common_in_my_team_is_read_along_my_list_however_rare_in_the_desk(
    agent, team, other_team, monkeypatch, django_assert_max_num_queries
):
    """The desk's newest tickets (another team's) never mention printers; the agent's team
    talks of little else. Judged by the desk, the word would be read from the full-text index,
    every match of the whole history; judged by the agent's own tickets, the list is read in
    its order. The page's rows are then read by id, without running the search again."""
    monkeypatch.setattr(search, "SAMPLE", 4)
    monkeypatch.setattr(search, "COMMON_IN_SAMPLE", 1)
    monkeypatch.setattr(search, "RARE", 0)  # whatever the GIN path finds is "many"
    mine = [TicketFactory(team=team, subject=f"Printer {n} jams") for n in range(4)]
    TicketFactory.create_batch(8, team=other_team, subject="Badge reader offline")
    client = api_as(agent)

    with django_assert_max_num_queries(20) as captured:
        response = client.get(tickets_url(), {"q": "printer"})

    assert {t["id"] for t in response.json()["results"]} == {t.pk for t in mine}
    searching = [q["sql"] for q in captured if "to_tsquery" in q["sql"]]
    assert len(searching) == 2  # the sample, then the page's ids; not the rows by id
    assert "ts_match_vq" in searching[1]
    assert "OFFSET 0" not in searching[1]


def test_an_admin_queue_reads_every_team_and_tickets_of_none(admin_user, team, other_team):
    TeamFactory()  # a team with nothing in it
    tickets = [TicketFactory(team=team), TicketFactory(team=other_team), TicketFactory(team=None)]
    TicketFactory(team=team, status=Status.CLOSED)

    rows = signed_in(admin_user).get(QUEUE).context["page"].object_list

    assert set(rows) == set(tickets)


def test_a_search_counts_its_matches_no_further_than_its_page(agent, team):
    TicketFactory.create_batch(30, team=team, subject="Scanner offline")
    TicketFactory.create_batch(5, team=team, subject="Mouse squeaks")
    client = signed_in(agent)

    searched = client.get(QUEUE, {"q": "scanner"})
    listed = client.get(QUEUE)
    second = client.get(QUEUE, {"q": "scanner", "page": 2})

    assert "25+ tickets" in searched.content.decode()
    assert "page=2" in searched.content.decode()  # the next page is offered
    assert len(searched.context["page"].object_list) == 25
    assert len(second.context["page"].object_list) == 5
    assert "35 tickets" in listed.content.decode()


def test_tickets_assigned_to_me_in_any_other_team_or_none_join_my_queue():
    """The "assigned outside my teams" check reads ranges between my teams' ids: below, between
    and above them, and no team at all."""
    below, first, between, second, above = (TeamFactory() for _ in range(5))
    agent = agent_of(first)
    MembershipFactory(user=agent, team=second)
    agent = type(agent).objects.get(pk=agent.pk)
    mine = [TicketFactory(team=t, assignee=agent) for t in (below, between, above, None)]
    ours = TicketFactory(team=first)
    TicketFactory(team=below)  # another team's, not mine

    rows = signed_in(agent).get(QUEUE).context["page"].object_list

    assert set(rows) == {*mine, ours}


@pytest.mark.parametrize("where", ["below", "between", "above", "none"])
def test_one_ticket_assigned_outside_is_enough_to_join_the_queue(where):
    below, first, between, second, above = (TeamFactory() for _ in range(5))
    agent = agent_of(first)
    MembershipFactory(user=agent, team=second)
    agent = type(agent).objects.get(pk=agent.pk)
    team = {"below": below, "between": between, "above": above, "none": None}[where]
    mine = TicketFactory(team=team, assignee=agent)

    rows = signed_in(agent).get(QUEUE).context["page"].object_list

    assert list(rows) == [mine]


def test_a_renamed_team_or_category_shows_at_once_in_the_queue_and_the_api(agent, team):
    """Lists take their lookups from a copy each process keeps: a save must refresh it."""
    ticket = TicketFactory(team=team, category=CategoryFactory(name="Printers"))
    client, api = signed_in(agent), api_as(agent)
    assert "Printers" in client.get(QUEUE).content.decode()
    assert api.get(tickets_url()).json()["results"][0]["category"]["name"] == "Printers"

    team.name = "Print room"
    team.save()
    ticket.category.name = "Printers and scanners"
    ticket.category.save()

    page = client.get(QUEUE).content.decode()
    listed = api.get(tickets_url()).json()["results"][0]
    assert "Printers and scanners" in page
    assert "Print room" in page
    assert listed["category"]["name"] == "Printers and scanners"
    assert listed["team"]["name"] == "Print room"
