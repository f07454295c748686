"""The signed-out help centre under abuse: reading writes no session rows, and what anonymous
visitors add to the figures (votes, "solved", views, searches) is limited per client address
and per article — a client that drops its cookies, or makes up X-Forwarded-For, gains nothing."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from apps.knowledge.models import Deflection, Feedback, SearchLog

from .factories import ArticleFactory

pytestmark = pytest.mark.django_db

BOT = {"REMOTE_ADDR": "203.0.113.7"}


def bot(n=0, **extra) -> Client:
    """A client that keeps no cookies: a new one per request, with a made-up forwarded-for."""
    return Client(HTTP_X_FORWARDED_FOR=f"10.0.{n // 250}.{n % 250}", **BOT, **extra)


def test_reading_the_help_centre_signed_out_creates_no_session(vpn_article):
    client = Client()
    article = reverse("kb:article", args=[vpn_article.slug])
    client.get(reverse("kb:home"))
    client.get(reverse("kb:home"), {"q": "vpn"})
    client.get(reverse("kb:home"), {"q": "vpn client"}, HTTP_HX_REQUEST="true")
    client.get(article)
    client.get(article, {"from": "suggest", "q": "vpn"})
    client.get(reverse("kb:suggest"), {"subject": "vpn drops"})
    APIClient().get("/api/v1/knowledge/search/", {"q": "vpn"})

    assert Session.objects.count() == 0
    assert "sessionid" not in client.cookies
    # The figures still count this visitor, once.
    vpn_article.refresh_from_db()
    assert vpn_article.view_count == 1
    assert Deflection.objects.filter(article=vpn_article).count() == 1
    assert SearchLog.objects.filter(source="portal").count() == 1


def test_voting_signed_out_creates_no_session_either(vpn_article):
    client = Client()
    client.post(reverse("kb:feedback", args=[vpn_article.slug]), {"helpful": "yes"})
    client.post(reverse("kb:solved", args=[vpn_article.slug]))
    APIClient().post(f"/api/v1/knowledge/articles/{vpn_article.pk}/feedback/", {"helpful": True})

    assert Session.objects.count() == 0
    assert Feedback.objects.count() == 2


def test_a_made_up_visitor_cookie_is_replaced_not_trusted(vpn_article):
    client = Client()
    client.cookies["sb_visitor"] = "x" * 40  # not one of ours
    client.post(reverse("kb:feedback", args=[vpn_article.slug]), {"helpful": "no"})

    vote = Feedback.objects.get()
    assert vote.session_key.startswith("v:")
    assert vote.session_key != "v:" + "x" * 40


def test_anonymous_votes_are_limited_per_client(vpn_article, settings):
    settings.RATELIMIT_KB_VOTES_PER_CLIENT = "5/h"
    url = reverse("kb:feedback", args=[vpn_article.slug])

    codes = [bot(n).post(url, {"helpful": "no"}).status_code for n in range(6)]

    assert codes == [302] * 5 + [429]
    assert Feedback.objects.count() == 5
    # The htmx form says so in place.
    partial = bot(99).post(url, {"helpful": "no"}, HTTP_HX_REQUEST="true").content.decode()
    assert "too many answers" in partial
    # Someone else is not affected.
    assert Client(REMOTE_ADDR="198.51.100.1").post(url, {"helpful": "yes"}).status_code == 302


def test_anonymous_votes_are_limited_per_article_across_clients(vpn_article, settings):
    settings.RATELIMIT_KB_VOTES_PER_ARTICLE = "5/h"
    url = reverse("kb:feedback", args=[vpn_article.slug])

    codes = [
        Client(REMOTE_ADDR=f"198.51.100.{n}").post(url, {"helpful": "no"}).status_code
        for n in range(6)
    ]

    assert codes[5] == 429
    other = ArticleFactory(title="Printer jams")
    other_url = reverse("kb:feedback", args=[other.slug])
    assert Client(REMOTE_ADDR="198.51.100.50").post(other_url, {"helpful": "no"}).status_code == 302


def test_signed_in_votes_are_not_limited_by_the_office_address(vpn_article, settings, requester):
    settings.RATELIMIT_KB_VOTES_PER_CLIENT = "1/h"
    client = Client(**BOT)
    client.force_login(requester)
    url = reverse("kb:feedback", args=[vpn_article.slug])
    assert [client.post(url, {"helpful": "no"}).status_code for _ in range(3)] == [302] * 3


def test_solved_clicks_are_limited_too(vpn_article, settings):
    settings.RATELIMIT_KB_VOTES_PER_CLIENT = "3/h"
    url = reverse("kb:solved", args=[vpn_article.slug])

    codes = [bot(n).post(url).status_code for n in range(4)]

    assert codes == [302, 302, 302, 429]
    assert Deflection.objects.count() == 3


def test_api_feedback_is_throttled_with_a_429(vpn_article, settings):
    settings.RATELIMIT_KB_VOTES_PER_CLIENT = "2/h"
    url = f"/api/v1/knowledge/articles/{vpn_article.pk}/feedback/"

    codes = [
        APIClient().post(url, {"helpful": True}, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}", **BOT)
        for n in range(3)
    ]

    assert [r.status_code for r in codes] == [201, 201, 429]
    assert Feedback.objects.count() == 2


def test_anonymous_views_and_searches_stop_counting_past_the_limit(vpn_article, settings):
    settings.RATELIMIT_KB_COUNTS_PER_CLIENT = "4/h"
    article = reverse("kb:article", args=[vpn_article.slug])

    pages = [bot(n).get(article).status_code for n in range(6)]
    searches = [bot(n).get(reverse("kb:home"), {"q": f"word{n}"}).status_code for n in range(3)]

    assert set(pages + searches) == {200}  # the pages still answer
    vpn_article.refresh_from_db()
    assert vpn_article.view_count == 4
    assert SearchLog.objects.count() == 0
