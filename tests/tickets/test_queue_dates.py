"""The queue's date ranges: a lead reads a period's tickets — created, resolved or updated from
one day to another, both days whole in the desk's time zone — alongside every other filter,
only ever within their own teams, and is told plainly when a date cannot be read."""

from datetime import datetime
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.tickets import extensions
from apps.tickets.models import Priority, Status
from tests.conftest import signed_in
from tests.factories import TicketFactory, UserFactory

pytestmark = pytest.mark.django_db

QUEUE = "/desk/"
PARIS = ZoneInfo("Europe/Paris")
DATE_FIELDS = [f"{n}_{e}" for n in ("created", "resolved", "updated") for e in ("after", "before")]
MARCH = {"status": "", "created_after": "2026-03-01", "created_before": "2026-03-31"}


@pytest.fixture(autouse=True)
def _desk_in_paris(settings):
    """A desk an hour or two east of UTC: a day there is not the day in UTC."""
    settings.TIME_ZONE = "Europe/Paris"


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def refs(response) -> set[str]:
    return {t.reference for t in response.context["page"].object_list}


class Page(HTMLParser):
    """The date inputs (and whether their group is open), each error's text by its id, and the
    date chips' links by what they say."""

    def __init__(self, html: str):
        super().__init__()
        self.inputs, self.errors, self.chips, self.dates_open = {}, {}, {}, None
        self._error = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "details" and "queue-dates" in attrs.get("class", ""):
            self.dates_open = "open" in attrs
        elif tag == "input" and attrs.get("type") == "date":
            self.inputs[attrs["name"]] = attrs
        elif tag == "span" and attrs.get("id", "").endswith("_error"):
            self._error = attrs["id"]
            self.errors[self._error] = ""
        elif tag == "a" and "filter-chip" in attrs.get("class", ""):
            self.chips[attrs["aria-label"]] = attrs["href"]

    def handle_data(self, data):
        if self._error:
            self.errors[self._error] += data

    def handle_endtag(self, tag):
        if tag == "span" and self._error:
            self._error = None


# --- Whole days, in the desk's time zone -----------------------------------------------------


@pytest.mark.parametrize("name", ["created", "resolved", "updated"])
def test_a_range_holds_both_days_whole_in_the_desks_time_zone(agent_client, team, name):
    field = f"{name}_at"
    at = {
        "first_minute": paris(2026, 3, 1, 0, 0),
        "last_minute": paris(2026, 3, 31, 23, 59),
        "day_before": paris(2026, 2, 28, 23, 59, 59),
        "day_after": paris(2026, 4, 1, 0, 0),
    }
    tickets = {
        key: TicketFactory(team=team, status=Status.RESOLVED, **{field: moment})
        for key, moment in at.items()
    }

    response = agent_client.get(
        QUEUE, {"status": "", f"{name}_after": "2026-03-01", f"{name}_before": "2026-03-31"}
    )

    assert response.status_code == 200
    assert refs(response) == {tickets[k].reference for k in ("first_minute", "last_minute")}


def test_one_day_is_both_ends_of_a_range(agent_client, team):
    that_day = TicketFactory(team=team, created_at=paris(2026, 3, 31, 23, 59))
    TicketFactory(team=team, created_at=paris(2026, 4, 1, 0, 0))

    response = agent_client.get(
        QUEUE, {"created_after": "2026-03-31", "created_before": "2026-03-31"}
    )

    assert refs(response) == {that_day.reference}


def test_a_range_may_be_open_at_either_end(agent_client, team):
    early = TicketFactory(team=team, created_at=paris(2025, 12, 31, 23, 0))
    late = TicketFactory(team=team, created_at=paris(2026, 1, 1, 0, 0))

    assert refs(agent_client.get(QUEUE, {"created_after": "2026-01-01"})) == {late.reference}
    assert refs(agent_client.get(QUEUE, {"created_before": "2025-12-31"})) == {early.reference}


# --- Alongside the other filters, within the agent's teams ----------------------------------


def test_a_date_range_never_shows_another_teams_ticket(agent, team, other_team):
    mine = TicketFactory(team=team, created_at=paris(2026, 3, 10, 9, 0))
    theirs = TicketFactory(team=other_team, created_at=paris(2026, 3, 10, 9, 0))
    client = signed_in(agent)

    plain = client.get(QUEUE, MARCH)
    asking_for_theirs = client.get(QUEUE, {**MARCH, "team": other_team.pk})

    assert refs(plain) == {mine.reference}
    assert theirs.reference not in refs(asking_for_theirs)


def test_dates_narrow_what_the_other_filters_chose(agent, agent_client, team, monkeypatch):
    flag = extensions.QueueFilter(
        name="urgent_only", label="Urgent", apply=lambda qs: qs.filter(priority=Priority.URGENT)
    )
    monkeypatch.setitem(extensions._queue_filters, flag.name, flag)
    march = paris(2026, 3, 10, 9, 0)
    wanted = TicketFactory(
        team=team, created_at=march, status=Status.OPEN, priority=Priority.URGENT, assignee=agent
    )
    TicketFactory(team=team, created_at=march, status=Status.OPEN, priority=Priority.LOW)
    TicketFactory(team=team, created_at=march, status=Status.CLOSED, priority=Priority.URGENT)
    TicketFactory(team=team, created_at=paris(2026, 4, 2), status=Status.OPEN, assignee=agent)

    response = agent_client.get(
        QUEUE,
        {**MARCH, "status": "open", "assignee": "me", "flag": "urgent_only", "tier": "1"},
    )

    assert refs(response) == {wanted.reference}


def test_a_period_reads_newest_activity_first_as_the_queue_does(agent_client, team):
    older = TicketFactory(team=team, created_at=paris(2026, 3, 2), updated_at=paris(2026, 3, 5))
    newer = TicketFactory(team=team, created_at=paris(2026, 3, 1), updated_at=paris(2026, 5, 1))

    with CaptureQueriesContext(connection) as ctx:
        response = agent_client.get(QUEUE, MARCH)

    assert [t.reference for t in response.context["page"]] == [newer.reference, older.reference]
    # The same order, in a form the queue's index cannot give (see QueueFilterSet.PERIOD_ORDER).
    assert any("DESC NULLS LAST" in q["sql"] for q in ctx.captured_queries)


def test_resolved_dates_with_the_active_status_say_why_the_list_is_empty(agent_client, team):
    TicketFactory(team=team, status=Status.RESOLVED, resolved_at=paris(2026, 3, 3))

    html = agent_client.get(QUEUE, {"resolved_after": "2026-03-01"}).content.decode()

    assert "No tickets match these filters." in html
    assert "set Status to “Any”" in html


# --- What the page shows ----------------------------------------------------------------------


def test_the_dates_are_six_date_inputs_folded_away_until_used(agent_client, team):
    closed = Page(agent_client.get(QUEUE).content.decode())
    opened = Page(agent_client.get(QUEUE, {"updated_after": "2026-03-01"}).content.decode())

    assert sorted(closed.inputs) == sorted(DATE_FIELDS)
    assert closed.dates_open is False
    assert opened.dates_open is True
    assert opened.inputs["updated_after"]["value"] == "2026-03-01"


def test_each_date_in_force_has_a_chip_that_clears_just_it(agent_client, team):
    page = Page(agent_client.get(QUEUE, {**MARCH, "priority": "4"}).content.decode())

    assert set(page.chips) == {"Clear created from 2026-03-01", "Clear created to 2026-03-31"}
    clear_from = page.chips["Clear created from 2026-03-01"]
    assert "created_after" not in clear_from
    assert "created_before=2026-03-31" in clear_from
    assert "priority=4" in clear_from
    assert not Page(agent_client.get(QUEUE).content.decode()).chips


# --- Dates that cannot be read ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-02-30", "2026-02-30 is not a date of the calendar."),
        ("31/03/2026", "Enter a date like 2026-03-31."),
        ("yesterday", "Enter a date like 2026-03-31."),
        ("20260331", "Enter a date like 2026-03-31."),
    ],
)
def test_a_date_that_cannot_be_read_is_named_beside_its_field(agent_client, team, value, message):
    TicketFactory(team=team, created_at=paris(2026, 3, 10))

    response = agent_client.get(QUEUE, {"status": "", "resolved_before": value})

    page = Page(response.content.decode())
    assert response.status_code == 200
    assert page.errors["id_resolved_before_error"] == message
    assert page.inputs["resolved_before"]["aria-invalid"] == "true"
    assert page.dates_open is True
    assert not refs(response)  # no list that looks filtered but is not
    assert "Correct the dates" in response.content.decode()


def test_to_before_from_says_so(agent_client, team):
    TicketFactory(team=team, created_at=paris(2026, 3, 10))

    response = agent_client.get(
        QUEUE, {"created_after": "2026-03-31", "created_before": "2026-03-01"}
    )

    page = Page(response.content.decode())
    assert page.errors["id_created_before_error"] == "“To” is before “from”."
    assert page.errors["id_created_after_error"] == ""
    assert not refs(response)


def test_an_htmx_update_brings_the_date_errors_beside_their_fields(agent_client, team):
    """The filters are not redrawn on an htmx change: the errors come out of band."""
    bad = agent_client.get(
        QUEUE,
        {"updated_after": "2026-03-31", "updated_before": "2026-03-01"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    good = agent_client.get(
        QUEUE, {"updated_after": "2026-03-01"}, HTTP_HX_REQUEST="true"
    ).content.decode()

    assert 'id="queue-filters"' not in bad
    assert Page(bad).errors["id_updated_before_error"] == "“To” is before “from”."
    assert 'id="id_updated_before_error" aria-live="polite" hx-swap-oob="true"' in bad
    assert Page(good).errors == {f"id_{name}_error": "" for name in DATE_FIELDS}


def test_a_bad_date_does_not_list_its_error_twice(agent_client, team):
    html = agent_client.get(QUEUE, {"created_after": "soon"}).content.decode()
    assert html.count("Enter a date like 2026-03-31.") == 1


# --- Cost -------------------------------------------------------------------------------------


def queue_queries(client, params: dict, rows: int) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(QUEUE, {**params, "per": rows})
    assert len(response.context["page"].object_list) == rows
    return len(ctx.captured_queries)


def test_dates_cost_no_query_and_a_page_costs_the_same_for_25_or_100_rows(
    agent, team, django_assert_num_queries
):
    requesters = UserFactory.create_batch(5)
    for i in range(100):
        TicketFactory(
            team=team,
            requester=requesters[i % 5],
            assignee=agent if i % 2 else None,
            created_at=paris(2026, 3, 1 + i % 31, 12, 0),
            updated_at=paris(2026, 4, 1 + i % 30, 12, 0),
        )
    client = signed_in(agent)
    every_date = {
        **MARCH,
        "updated_after": "2026-04-01",
        "updated_before": "2026-04-30",
        "resolved_before": "",
    }
    client.get(QUEUE)  # lists read their lookups once per process after a change
    plain = queue_queries(client, {"status": ""}, 25)

    for rows in (25, 100):
        with django_assert_num_queries(plain):
            response = client.get(QUEUE, {**every_date, "per": rows})
        assert len(response.context["page"].object_list) == rows
