"""The sponsor's week page and the tech's "My week": what each shows, to whom, and that they
cost the same number of queries for one ticket a tech or many."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.reviews.mentoring.selectors import my_week_count, review_week_count, sponsorships_for
from apps.reviews.mentoring.weeks import last_week
from apps.tickets.services import comment_add, ticket_take

from .conftest import WEEK, client_for, during, open_ticket, resolve, text_of

WEEK_URL = reverse("reviews:mentoring_week_of", args=[WEEK.isoformat()])
MY_WEEK_URL = reverse("reviews:mentoring_my_week_of", args=[WEEK.isoformat()])


def test_the_sponsor_reviews_each_techs_tickets(people, worked):
    response = client_for(people["sponsor"]).get(WEEK_URL)
    assert response.status_code == 200
    page = text_of(response)
    for name in ("Tariq Haddad", "Mia Novak", "Ines Duarte"):
        assert name in page
    for ticket in worked["tickets"].values():
        assert ticket.reference in page
        assert reverse("workspace:ticket", args=[ticket.reference]) in page
    assert "Passed it on without working it" in page  # the bucket of Tariq's second ticket
    assert worked["passed"].reference in page
    assert "Workaround given" in page  # the resolution
    assert "Coaching note" in page
    assert "Mon 3 Jun \u2013 Sun 9 Jun 2024" in page
    assert reverse("reviews:mentoring_week_of", args=["2024-05-27"]) in page  # previous
    assert reverse("reviews:mentoring_week_of", args=["2024-06-10"]) in page  # next


def test_a_lead_reviews_the_pairings_of_their_team(people, worked):
    page = text_of(client_for(people["lead"]).get(WEEK_URL))
    assert "Sofia Sponsor mentors in Service Desk" in page
    assert worked["tickets"]["Mia"].reference in page


def test_nobody_else_sees_a_sponsors_week(people, worked):
    for who in ("tariq", "other", "nia", "requester"):
        assert client_for(people[who]).get(WEEK_URL).status_code == 404, who
    # A lead of another team has the page, without this team's pairings on it.
    page = text_of(client_for(people["net_lead"]).get(WEEK_URL))
    assert worked["tickets"]["Tariq"].reference not in page
    assert "Thanks so much" not in page


def test_a_tech_sees_only_their_own_week(people, worked):
    page = text_of(client_for(people["mia"]).get(MY_WEEK_URL))
    assert worked["tickets"]["Mia"].reference in page
    assert worked["tickets"]["Tariq"].reference not in page
    assert worked["tickets"]["Ines"].reference not in page
    assert "Sofia Sponsor reads them with you" in page
    assert "Thanks so much" not in page  # praise is the sponsor's to mark, not on this page


def test_weeks_are_named_by_their_monday(people, worked):
    client = client_for(people["sponsor"])
    response = client.get(reverse("reviews:mentoring_week_of", args=["2024-06-06"]))
    assert response.status_code == 302
    assert response["Location"] == WEEK_URL
    assert client.get(reverse("reviews:mentoring_week_of", args=["2024-02-30"])).status_code == 404
    future = (last_week() + datetime.timedelta(days=21)).isoformat()
    assert client.get(reverse("reviews:mentoring_week_of", args=[future])).status_code == 404
    default = client.get(reverse("reviews:mentoring_week"))
    assert default.status_code == 200
    assert "last week" in text_of(default)


def _more_work(people, desk, techs, per_tech: int) -> None:
    for tech in techs:
        for i in range(per_tech):
            ticket = open_ticket(people["requester"], desk, subject=f"More {i}")
            with during(hour=10):
                ticket_take(ticket=ticket, agent=tech)
                comment_add(ticket=ticket, author=tech, body="Done.")
            with during(hour=11):
                comment_add(ticket=ticket, author=people["requester"], body="Thanks so much!")
            resolve(ticket, tech)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_week_pages_cost_the_same_for_more_tickets(
    people, desk, techs, worked, django_assert_max_num_queries
):
    sponsor, tech = client_for(people["sponsor"]), client_for(people["tariq"])
    few = _queries(sponsor, WEEK_URL), _queries(tech, MY_WEEK_URL)
    _more_work(people, desk, techs, per_tech=3)
    many = _queries(sponsor, WEEK_URL), _queries(tech, MY_WEEK_URL)
    assert few == many
    with django_assert_max_num_queries(12):
        sponsor.get(WEEK_URL)
    with django_assert_max_num_queries(8):  # 7 + the top bar's unread notifications count
        tech.get(MY_WEEK_URL)
    print(f"\nqueries: sponsor's week {many[0]}, my week {many[1]}")


def test_the_pairings_page_costs_the_same_for_more_pairings(people, desk, networks, techs):
    from apps.reviews.mentoring.services import pairing_create
    from tests.factories import agent_of

    client = client_for(people["admin"])
    url = reverse("reviews:mentoring_pairings")
    pairing_create(actor=people["lead"], team=desk, sponsor=people["sponsor"], techs=techs[:1])
    few = _queries(client, url)
    pairing_create(actor=people["lead"], team=desk, sponsor=people["other"], techs=techs[1:])
    newcomer = agent_of(networks, email="nn@example.com", full_name="Nora Net")
    pairing_create(actor=people["net_lead"], team=networks, sponsor=people["nia"], techs=[newcomer])
    assert _queries(client, url) == few


def test_helpers_for_the_reviews_hub(people, worked):
    with during(WEEK + datetime.timedelta(days=8)):
        assert [p.sponsor for p in sponsorships_for(people["sponsor"])] == [people["sponsor"]]
        assert list(sponsorships_for(people["tariq"])) == []
        assert review_week_count(people["sponsor"]) == 4  # three tickets, and Tariq's passed one
        assert my_week_count(people["tariq"]) == 2
        assert my_week_count(people["other"]) == 0  # nobody mentors Otto
