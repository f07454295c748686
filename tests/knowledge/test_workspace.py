"""The article editor and the numbers page in the agent workspace."""

import pytest
from django.urls import reverse

from apps.knowledge.models import Article, ArticleStatus, Revision
from tests.conftest import signed_in

from .factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_an_agent_writes_an_article_with_a_live_preview(agent_client, agent, lookups):
    preview = agent_client.post(reverse("kb-desk:preview"), {"body": "**Hi** <script>x()</script>"})
    assert "<strong>Hi</strong>" in preview.content.decode()
    assert "<script" not in preview.content.decode()
    response = agent_client.post(
        reverse("kb-desk:new"),
        {
            "title": "Badge printer",
            "summary": "Print a visitor badge.",
            "body": "Press **Print**.",
            "audience": "requesters",
            "tags": "badges, printer",
            "categories": [lookups["category"].pk],
        },
    )
    article = Article.objects.get()
    assert response.url == reverse("kb-desk:edit", args=[article.pk])
    assert (article.author, article.status) == (agent, ArticleStatus.DRAFT)
    assert article.body_html == "<p>Press <strong>Print</strong>.</p>"


def test_the_editor_names_the_field_at_fault(agent_client):
    response = agent_client.post(
        reverse("kb-desk:new"), {"title": "Secret", "audience": "team", "body": "x"}
    )
    assert response.status_code == 200
    assert "Choose the team" in response.content.decode()
    assert not Article.objects.exists()


def test_editing_adds_a_revision_shown_as_a_diff(agent_client, agent):
    article = ArticleFactory(title="Wi-Fi", status=ArticleStatus.DRAFT, author=agent)
    Revision.objects.create(article=article, number=1, title="Wi-Fi", body=article.body)
    agent_client.post(
        reverse("kb-desk:edit", args=[article.pk]),
        {"title": "Wi-Fi", "body": "Join Staff-5G.", "audience": "public", "note": "New SSID"},
    )
    page = agent_client.get(reverse("kb-desk:revisions", args=[article.pk])).content.decode()
    assert "+Join Staff-5G." in page
    assert "New SSID" in page


def test_agents_submit_for_review_and_leads_publish(agent_client, lead):
    article = ArticleFactory(title="Draft", status=ArticleStatus.DRAFT)
    url = reverse("kb-desk:status", args=[article.pk])
    agent_client.post(url, {"status": "published"})
    article.refresh_from_db()
    assert article.status == ArticleStatus.DRAFT
    agent_client.post(url, {"status": "review"})
    signed_in(lead).post(url, {"status": "published"})
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED


def test_requesters_cannot_reach_the_editor(requester_client):
    article = ArticleFactory()
    assert requester_client.get(reverse("kb-desk:articles")).status_code == 404
    assert requester_client.get(reverse("kb-desk:edit", args=[article.pk])).status_code == 404


def test_the_article_list_costs_the_same_for_many_rows(agent_client, django_assert_max_num_queries):
    for n in range(30):
        ArticleFactory(title=f"Article {n}")
    with django_assert_max_num_queries(10):
        response = agent_client.get(reverse("kb-desk:articles"))
    assert response.content.decode().count("/desk/knowledge/") >= 30


def test_numbers_are_for_leads_only(agent_client, lead, django_assert_max_num_queries):
    for n in range(10):
        ArticleFactory(title=f"Article {n}", view_count=n)
    assert agent_client.get(reverse("kb-desk:numbers")).status_code == 404
    client = signed_in(lead)
    client.get(reverse("kb-desk:numbers"))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("kb-desk:numbers"))
    assert "Article 9" in response.content.decode()
