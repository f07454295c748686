"""Marking a requester's reply as kudos from the review: the sponsor of a tech who touched the
ticket, or a lead of its team; nobody else, and each reply once."""

import pytest
from django.urls import reverse

from apps.core.errors import ApplicationError
from apps.reviews.mentoring.services import pairing_create, reply_mark_kudos
from apps.reviews.satisfaction.models import Kudos, KudosSource
from apps.tickets.models import Comment

from .conftest import WEEK, client_for, text_of


def test_the_sponsor_marks_a_reply_as_kudos_for_the_tech_once(people, worked):
    thanks = worked["thanks"]["Mia"]
    kudos = reply_mark_kudos(actor=people["sponsor"], comment=thanks)
    assert kudos.agent == people["mia"]
    assert kudos.source == KudosSource.REPLY
    assert kudos.marked_by == people["sponsor"]
    assert kudos.text == thanks.body
    assert reply_mark_kudos(actor=people["sponsor"], comment=thanks).pk == kudos.pk
    assert Kudos.objects.count() == 1


def test_a_lead_of_the_tickets_team_marks_too(people, worked):
    reply_mark_kudos(actor=people["lead"], comment=worked["thanks"]["Tariq"])
    assert Kudos.objects.get().agent == people["tariq"]


@pytest.mark.parametrize("who", ["tariq", "other", "nia", "net_lead", "requester"])
def test_nobody_else_marks_kudos(people, worked, who):
    with pytest.raises(ApplicationError, match="Only a lead"):
        reply_mark_kudos(actor=people[who], comment=worked["thanks"]["Tariq"])
    assert not Kudos.objects.exists()


def test_a_sponsor_whose_techs_did_not_touch_the_ticket_cannot(people, desk, worked):
    # Otto sponsors a newcomer in the Service Desk: Tariq's ticket is none of his business.
    from tests.factories import agent_of

    newcomer = agent_of(desk, email="nina@example.com", full_name="Nina Newcomer")
    pairing_create(actor=people["lead"], team=desk, sponsor=people["other"], techs=[newcomer])
    with pytest.raises(ApplicationError, match="Only a lead"):
        reply_mark_kudos(actor=people["other"], comment=worked["thanks"]["Tariq"])
    assert not Kudos.objects.exists()


def test_only_a_requesters_public_reply_is_kudos(people, worked):
    ticket = worked["tickets"]["Tariq"]
    agents_reply = Comment.objects.get(ticket=ticket, author=people["tariq"])
    with pytest.raises(ApplicationError, match="requester's public reply"):
        reply_mark_kudos(actor=people["sponsor"], comment=agents_reply)
    assert not Kudos.objects.exists()


def test_the_button_on_the_week_page_marks_it_and_the_page_says_so(people, worked):
    client = client_for(people["sponsor"])
    url = reverse("reviews:mentoring_week_of", args=[WEEK.isoformat()])
    thanks = worked["thanks"]["Ines"]
    page = text_of(client.get(url))
    assert "Thanks so much, Ines!" in page
    assert page.count("Mark as kudos") == 3

    response = client.post(
        reverse("reviews:mentoring_kudos"), {"comment": thanks.pk, "week": WEEK.isoformat()}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{url}#reply-{thanks.pk}"
    assert Kudos.objects.get().comment == thanks
    page = text_of(client.get(url))
    assert page.count("Mark as kudos") == 2
    assert "★ Kudos" in page


def test_an_agent_who_sponsors_no_one_finds_no_kudos_button(people, worked):
    response = client_for(people["other"]).post(
        reverse("reviews:mentoring_kudos"), {"comment": worked["thanks"]["Tariq"].pk}
    )
    assert response.status_code == 404
    assert not Kudos.objects.exists()
