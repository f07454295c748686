"""The known-issues page and API, from the requester's and the outsider's side: only what the
desk chose to publish, and only one's own requests named."""

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from apps.problems.services import problem_create, problem_link
from apps.tickets.models import Ticket
from apps.tickets.services import ticket_create
from tests.conftest import signed_in

SUMMARY = "Card payments may fail at night; pay by cash or retry after 06:00."


@pytest.fixture
def published(agent, team, requester, other_requester):
    problem = problem_create(
        actor=agent,
        title="Card readers drop offline at night",
        team=team,
        root_cause="Nightly hub restart (secret vendor bug #4411)",
        whys=["Internal why: firmware 3.2 of vendor X"],
        status="fix_planned",
        fix_planned_for=date(2026, 12, 14),
        is_public=True,
        public_summary=SUMMARY,
    )
    mine = ticket_create(requester=requester, subject="Rita's reader", description="x")
    theirs = ticket_create(requester=other_requester, subject="Oscar's reader", description="x")
    Ticket.objects.filter(pk__in=[mine.pk, theirs.pk]).update(team=team)
    mine, theirs = Ticket.objects.get(pk=mine.pk), Ticket.objects.get(pk=theirs.pk)
    problem_link(problem=problem, tickets=[mine, theirs], actor=agent, via="ticket page")
    return problem, mine, theirs


@pytest.fixture
def internal(agent, team):
    return problem_create(actor=agent, title="Payroll export truncates names", team=team)


def test_anyone_reads_the_published_issues_and_nothing_internal(published, internal):
    page = Client().get(reverse("known-issues"))

    text = page.content.decode()
    assert page.status_code == 200
    assert SUMMARY in text
    assert "14 Dec 2026" in text
    assert "vendor bug" not in text
    assert "firmware 3.2" not in text
    assert "Payroll export" not in text  # not published
    assert "SB-" not in text  # no requests named to an outsider


def test_a_requester_sees_which_of_their_own_requests_it_is_behind(published, requester_client):
    _, mine, theirs = published

    text = requester_client.get(reverse("known-issues")).content.decode()

    assert mine.reference in text
    assert theirs.reference not in text
    assert "Oscar's reader" not in text


def test_the_api_says_the_same(published, internal, requester):
    _, mine, _ = published

    anonymous = Client().get("/api/v1/known-issues/").json()
    as_rita = signed_in(requester).get("/api/v1/known-issues/").json()

    assert [i["summary"] for i in anonymous] == [SUMMARY]
    assert anonymous[0]["affects_my_requests"] == []
    assert "root_cause" not in anonymous[0]
    assert as_rita[0]["affects_my_requests"] == [mine.reference]


def test_the_requesters_ticket_shows_the_known_issue(published, requester_client):
    _, mine, _ = published

    page = requester_client.get(reverse("portal:ticket", args=[mine.reference])).content.decode()

    assert SUMMARY in page
    assert "vendor bug" not in page


def test_an_unpublished_problem_stays_off_the_requesters_ticket(
    internal, agent, team, requester_client, requester
):
    ticket = ticket_create(requester=requester, subject="Payslip name cut", description="x")
    Ticket.objects.filter(pk=ticket.pk).update(team=team)
    ticket.refresh_from_db()
    problem_link(problem=internal, tickets=[ticket], actor=agent, via="ticket page")

    page = requester_client.get(reverse("portal:ticket", args=[ticket.reference]))

    assert "Payroll export" not in page.content.decode()


def test_the_problems_api_is_for_agents_only(published, requester, agent):
    problem = published[0]
    url = f"/api/v1/problems/{problem.reference}/"

    assert signed_in(requester).get(url).status_code == 403
    assert Client().get("/api/v1/problems/").status_code in (401, 403)
    body = signed_in(agent).get(url).json()
    assert body["root_cause"].startswith("Nightly hub restart")
    assert len(body["tickets"]) == 2
