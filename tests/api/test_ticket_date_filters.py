"""The ticket list's date ranges through the API: ?created_after= … ?updated_before= take days
(whole, in the desk's time zone) or exact ISO 8601 instants, both ends included; a value that
cannot be read answers 400 naming its parameter; nobody reads a ticket they could not before."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import include, path
from rest_framework.test import APIClient

from apps.tickets.models import Status
from tests.factories import TicketFactory, UserFactory
from tests.tickets.test_api_auth_and_schema import generate_schema

pytestmark = pytest.mark.django_db

TICKETS = "/api/v1/tickets/"
PARIS = ZoneInfo("Europe/Paris")
PARAMETERS = [f"{n}_{e}" for n in ("created", "resolved", "updated") for e in ("after", "before")]


@pytest.fixture(autouse=True)
def _desk_in_paris(settings):
    settings.TIME_ZONE = "Europe/Paris"


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def api_as(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def listed(client, **params) -> set[str]:
    response = client.get(TICKETS, {"page_size": 100, **params})
    assert response.status_code == 200, response.json()
    return {t["reference"] for t in response.json()["results"]}


# --- Days -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["created", "resolved", "updated"])
def test_days_are_whole_in_the_desks_time_zone_at_both_ends(agent, team, name):
    field = f"{name}_at"
    at = {
        "first_minute": paris(2026, 3, 1, 0, 0),
        "last_minute": paris(2026, 3, 31, 23, 59, 59),
        "day_before": paris(2026, 2, 28, 23, 59, 59),
        "day_after": paris(2026, 4, 1, 0, 0),
    }
    tickets = {
        key: TicketFactory(team=team, status=Status.RESOLVED, **{field: moment})
        for key, moment in at.items()
    }

    found = listed(api_as(agent), **{f"{name}_after": "2026-03-01", f"{name}_before": "2026-03-31"})

    assert found == {tickets[k].reference for k in ("first_minute", "last_minute")}


def test_a_ticket_never_resolved_is_outside_every_resolved_range(agent, team):
    TicketFactory(team=team, status=Status.OPEN, created_at=paris(2026, 3, 5))
    assert listed(api_as(agent), resolved_before="2999-12-31") == set()


# --- Instants ---------------------------------------------------------------------------------


def test_a_date_time_is_an_exact_instant_included_at_both_ends(agent, team):
    start, end = paris(2026, 3, 10, 9, 30), paris(2026, 3, 10, 17, 0)
    tickets = {
        "at_start": TicketFactory(team=team, created_at=start),
        "at_end": TicketFactory(team=team, created_at=end),
        "just_before": TicketFactory(team=team, created_at=start - timedelta(microseconds=1)),
        "just_after": TicketFactory(team=team, created_at=end + timedelta(microseconds=1)),
    }

    found = listed(
        api_as(agent),
        created_after="2026-03-10T08:30:00Z",  # 09:30 in Paris
        created_before="2026-03-10T17:00:00+01:00",
    )

    assert found == {tickets["at_start"].reference, tickets["at_end"].reference}


@pytest.mark.parametrize(
    "value", ["2026-03-10T09:30:00", "2026-03-10 09:30", "2026-03-10t08:30:00z"]
)
def test_a_date_time_without_an_offset_is_read_in_the_desks_time_zone(agent, team, value):
    before = TicketFactory(team=team, created_at=paris(2026, 3, 10, 9, 29))
    after = TicketFactory(team=team, created_at=paris(2026, 3, 10, 9, 30))

    assert listed(api_as(agent), created_after=value) == {after.reference}
    assert before.reference in listed(api_as(agent), created_before=value)


# --- Refused ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-02-30", "2026-02-30 is not a date of the calendar."),
        ("yesterday", "Enter a date as YYYY-MM-DD"),
        ("20260301", "Enter a date as YYYY-MM-DD"),
        ("2026-W10", "Enter a date as YYYY-MM-DD"),
        ("2026-03-01T25:00", "Enter a date as YYYY-MM-DD"),
        ("2026-03-01T10:00+24:00", "Enter a date as YYYY-MM-DD"),
        ("2026-03-01garbage", "Enter a date as YYYY-MM-DD"),
    ],
)
@pytest.mark.parametrize("parameter", PARAMETERS)
def test_a_value_that_is_not_a_date_answers_400_naming_the_parameter(
    agent, team, parameter, value, message
):
    response = api_as(agent).get(TICKETS, {parameter: value})

    assert response.status_code == 400
    assert list(response.json()) == [parameter]
    assert response.json()[parameter][0].startswith(message)


@pytest.mark.parametrize(
    ("after", "before"),
    [
        ("2026-03-31", "2026-03-01"),
        ("2026-03-02", "2026-03-01"),
        ("2026-03-01T10:00:00Z", "2026-03-01T09:59:59Z"),
        ("2026-03-02", "2026-03-01T23:59:59"),
    ],
)
def test_a_range_that_ends_before_it_starts_answers_400_on_its_end(agent, team, after, before):
    response = api_as(agent).get(TICKETS, {"updated_after": after, "updated_before": before})

    assert response.status_code == 400
    assert response.json() == {
        "updated_before": ["Earlier than updated_after: the range would be empty."]
    }


def test_a_range_of_one_day_or_one_instant_is_fine(agent, team):
    client = api_as(agent)
    one_day = {"created_after": "2026-03-01", "created_before": "2026-03-01"}
    assert client.get(TICKETS, one_day).status_code == 200
    for same in ("2026-03-01T10:00:00Z", "2026-03-01T11:00:00+01:00"):
        response = client.get(
            TICKETS, {"created_after": "2026-03-01T10:00:00Z", "created_before": same}
        )
        assert response.status_code == 200


@pytest.mark.parametrize(
    "value",
    [
        "0001-01-01",
        "9999-12-31",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59.999999-12:00",
        "9999-12-31T23:59:59.999999Z",
    ],
)
@pytest.mark.parametrize("parameter", PARAMETERS)
def test_the_ends_of_the_calendar_are_read_not_a_500(agent, team, parameter, value):
    assert api_as(agent).get(TICKETS, {parameter: value}).status_code == 200


# --- Who sees what ----------------------------------------------------------------------------


def test_a_date_range_never_shows_a_ticket_the_caller_could_not_see(
    agent, team, other_team, requester
):
    march = paris(2026, 3, 10, 9, 0)
    mine = TicketFactory(team=team, created_at=march)
    theirs = TicketFactory(team=other_team, created_at=march)
    requested = TicketFactory(team=other_team, requester=requester, created_at=march)
    dates = {"created_after": "2026-03-01", "created_before": "2026-03-31"}

    assert listed(api_as(agent), **dates) == {mine.reference}
    assert listed(api_as(agent), **dates, team=other_team.pk) == set()
    assert theirs.reference not in listed(api_as(requester), **dates)
    assert listed(api_as(requester), **dates) == {requested.reference}


def test_dates_compose_with_the_other_filters(agent, team):
    march = paris(2026, 3, 10, 9, 0)
    wanted = TicketFactory(team=team, created_at=march, status=Status.PENDING, assignee=agent)
    TicketFactory(team=team, created_at=march, status=Status.OPEN, assignee=agent)
    TicketFactory(team=team, created_at=march, status=Status.PENDING)
    TicketFactory(team=team, created_at=paris(2026, 4, 1), status=Status.PENDING, assignee=agent)

    found = listed(
        api_as(agent),
        created_after="2026-03-01",
        created_before="2026-03-31",
        status="pending",
        assignee="me",
    )

    assert found == {wanted.reference}


# --- Cost and contract ------------------------------------------------------------------------


def test_a_dated_list_costs_the_same_queries_for_5_rows_or_30(
    agent, team, django_assert_max_num_queries
):
    requesters = UserFactory.create_batch(3)
    for i in range(30):
        TicketFactory(
            team=team,
            requester=requesters[i % 3],
            status=Status.RESOLVED,
            resolved_at=paris(2026, 3, 1 + i % 28, 12, 0),
        )
    client = api_as(agent)
    client.get(TICKETS)  # lists read their lookups once per process after a change
    counts = []
    for size in (5, 30):
        with django_assert_max_num_queries(8) as captured:
            response = client.get(
                TICKETS,
                {
                    "page_size": size,
                    "resolved_after": "2026-03-01",
                    "resolved_before": "2026-03-31",
                },
            )
        assert len(response.json()["results"]) == size
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_the_schema_documents_each_date_parameter():
    schema, problems = generate_schema([path("api/v1/", include("apps.tickets.api.urls"))])

    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/tickets/"]["get"]["parameters"]}

    for name in PARAMETERS:
        documented = parameters[name]
        assert documented["in"] == "query"
        assert documented["schema"] == {
            "anyOf": [
                {"type": "string", "format": "date"},
                {"type": "string", "format": "date-time"},
            ]
        }
        assert "YYYY-MM-DD" in documented["description"]
        assert "ISO 8601 date-time" in documented["description"]
        assert "the desk's time zone" in documented["description"]
    assert not problems
