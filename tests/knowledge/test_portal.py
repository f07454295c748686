"""The help centre as requesters (and the signed-out public) use it."""

import pytest
from django.test import Client
from django.urls import reverse

from apps.knowledge.models import ArticleStatus, Audience, Feedback, SearchLog

from .factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db


def test_signed_out_visitors_search_and_read_public_articles(vpn_article):
    client = Client()
    page = client.get(reverse("kb:home"), {"q": "vpn"})
    assert page.status_code == 200
    assert "Connect to the VPN from home" in page.content.decode()
    article = client.get(reverse("kb:article", args=[vpn_article.slug]))
    assert article.status_code == 200
    assert "<strong>GlobalConnect</strong>" in article.content.decode()


def test_search_as_you_type_returns_only_the_results_fragment(vpn_article):
    response = Client().get(reverse("kb:home"), {"q": "vpn"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "Connect to the VPN from home" in body
    assert "<html" not in body


@pytest.mark.parametrize(
    ("audience", "who", "visible"),
    [
        (Audience.PUBLIC, None, True),
        (Audience.REQUESTERS, None, False),
        (Audience.REQUESTERS, "requester", True),
        (Audience.AGENTS, "requester", False),
        (Audience.AGENTS, "agent", True),
        (Audience.TEAM, "agent", True),
        (Audience.TEAM, "other_agent", False),
        (Audience.TEAM, "admin_user", True),
    ],
)
def test_articles_follow_their_audience(request, team, audience, who, visible):
    article = ArticleFactory(
        title="Till keys", audience=audience, team=team if audience == Audience.TEAM else None
    )
    client = Client()
    if who:
        client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("kb:article", args=[article.slug]))
    # 404, not 403: nobody learns an article they may not read exists.
    assert response.status_code == (200 if visible else 404)
    listing = client.get(reverse("kb:home"), {"q": "till"}).content.decode()
    assert ("Till keys" in listing) is visible


def test_drafts_are_not_readable_in_the_help_centre(agent):
    draft = ArticleFactory(title="Draft", status=ArticleStatus.DRAFT)
    client = Client()
    client.force_login(agent)
    assert client.get(reverse("kb:article", args=[draft.slug])).status_code == 404


def test_views_count_once_per_visitor(vpn_article):
    client = Client()
    for _ in range(3):
        client.get(reverse("kb:article", args=[vpn_article.slug]))
    Client().get(reverse("kb:article", args=[vpn_article.slug]))
    vpn_article.refresh_from_db()
    assert vpn_article.view_count == 2


def test_did_this_help_records_one_vote_per_visitor(vpn_article):
    client = Client()
    url = reverse("kb:feedback", args=[vpn_article.slug])
    client.get(reverse("kb:article", args=[vpn_article.slug]))
    response = client.post(
        url, {"helpful": "no", "comment": "Which client?"}, HTTP_HX_REQUEST="true"
    )
    assert "Thank you" in response.content.decode()
    client.post(url, {"helpful": "yes"})
    Client().post(url, {"helpful": "yes"})
    votes = Feedback.objects.filter(article=vpn_article)
    assert sorted(votes.values_list("helpful", flat=True)) == [True, True]


def test_feedback_without_an_answer_is_refused(vpn_article):
    response = Client().post(
        reverse("kb:feedback", args=[vpn_article.slug]), {"comment": "x"}, HTTP_HX_REQUEST="true"
    )
    assert "Did this help?" in response.content.decode()
    assert not Feedback.objects.exists()


def test_searches_that_found_nothing_are_logged_once_while_typing(db):
    client = Client()
    for typed in ("scan", "scanner ja", "scanner jammed"):
        client.get(reverse("kb:home"), {"q": typed}, HTTP_HX_REQUEST="true")
    assert list(SearchLog.objects.values_list("query", "results")) == [("scanner jammed", 0)]


def test_the_front_page_lists_sections_in_few_queries(django_assert_max_num_queries, requester):
    for n in range(3):
        section = SectionFactory(name=f"Section {n}")
        for m in range(5):
            ArticleFactory(title=f"Article {n}-{m}", section=section)
    client = Client()
    client.force_login(requester)
    client.get(reverse("kb:home"))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("kb:home"))
    assert response.content.decode().count("Article 2-") >= 5


def test_article_files_follow_the_article_audience(agent, requester):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from apps.knowledge.services import article_file_add

    public = ArticleFactory(title="Public")
    internal = ArticleFactory(title="Internal", audience=Audience.AGENTS)
    shown = article_file_add(
        article=public, user=agent, upload=SimpleUploadedFile("tray.png", b"\x89PNG")
    )
    hidden = article_file_add(
        article=internal, user=agent, upload=SimpleUploadedFile("wiring.png", b"\x89PNG")
    )
    client = Client()
    client.force_login(requester)
    response = client.get(reverse("kb:file", args=[shown.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert client.get(reverse("kb:file", args=[hidden.pk])).status_code == 404
