"""Rating on the requester's ticket page (signed in), and what agents see of the rating."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from apps.reviews.satisfaction.models import Rating
from apps.tickets.models import TicketEvent
from tests.conftest import signed_in

from .conftest import T0

pytestmark = pytest.mark.django_db


def page(client, ticket):
    return client.get(reverse("portal:ticket", args=[ticket.reference])).content.decode()


def rate(client, ticket, **data):
    return client.post(reverse("reviews:rating_portal", args=[ticket.reference]), data)


def test_the_requester_rates_a_resolved_ticket_on_its_page_and_may_change_it(
    resolved, requester, clock
):
    client = signed_in(requester)
    assert "How did we do?" in page(client, resolved)

    answer = rate(client, resolved, score="bad", comment="Took three days.")
    assert answer.status_code == 302
    assert answer["Location"].endswith(f"/portal/tickets/{resolved.reference}/#panel-satisfaction")
    rating = Rating.objects.get(ticket=resolved)
    assert (rating.score, rating.via, rating.comment) == ("bad", "portal", "Took three days.")

    clock.move_to(T0 + timedelta(days=6))
    html = page(client, resolved)
    assert re.search(r'<input[^>]*value="bad"[^>]*checked', html)  # the current rating
    assert "Took three days." in html
    assert "Change my rating" in html
    rate(client, resolved, score="good", comment="Actually it works fine now.")
    assert Rating.objects.get(ticket=resolved).score == "good"
    assert Rating.objects.count() == 1


def test_after_seven_days_the_rating_shows_but_cannot_change(resolved, requester, clock):
    client = signed_in(requester)
    rate(client, resolved, score="good")
    clock.move_to(T0 + timedelta(days=7, minutes=1))

    html = page(client, resolved)
    assert "Your rating: <span" in html
    assert "Good, I&#x27;m satisfied</span>" in html
    assert "Change my rating" not in html
    assert 'name="score"' not in html
    answer = rate(client, resolved, score="bad")
    assert answer.status_code == 302
    assert Rating.objects.get(ticket=resolved).score == "good"
    assert TicketEvent.objects.filter(kind="rated").count() == 1


def test_an_active_ticket_has_nothing_to_rate(clock, requester, agent, team, triage_team):
    from apps.tickets.services import ticket_create

    ticket = ticket_create(requester=requester, subject="VPN", description="Drops.")
    client = signed_in(requester)
    assert "How did we do?" not in page(client, ticket)
    rate(client, ticket, score="good")
    assert not Rating.objects.exists()


@pytest.mark.parametrize("who", ["other_requester", "agent", "lead"])
def test_nobody_but_the_requester_rates_on_the_portal(resolved, who, request):
    person = request.getfixturevalue(who)
    answer = rate(signed_in(person), resolved, score="bad", comment="Sabotage")
    assert answer.status_code == 404
    assert not Rating.objects.exists()


def test_agents_see_the_rating_and_its_comment_on_their_ticket_page(
    resolved, requester, agent, lead
):
    workspace = reverse("workspace:ticket", args=[resolved.reference])
    assert "Requester's rating" not in signed_in(agent).get(workspace).content.decode()

    rate(signed_in(requester), resolved, score="good", comment="Alex was <b>great</b>")

    html = signed_in(lead).get(workspace).content.decode()
    assert "Requester's rating" in html
    assert "Alex was &lt;b&gt;great&lt;/b&gt;" in html  # escaped, never markup
    assert "for Alex Agent" in html
    assert "rated the support" in html  # the history says it
