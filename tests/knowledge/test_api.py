"""The knowledge API: audience-filtered reads, agent writes, search, feedback, numbers."""

import pytest
from rest_framework.test import APIClient

from apps.knowledge.models import ArticleStatus, Audience, Feedback, SearchLog

from .factories import ArticleFactory

pytestmark = pytest.mark.django_db


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user:
        client.force_authenticate(user)
    return client


@pytest.fixture
def articles(team):
    return {
        "public": ArticleFactory(title="Public toner", body="toner"),
        "requesters": ArticleFactory(
            title="Signed-in toner", body="toner", audience=Audience.REQUESTERS
        ),
        "agents": ArticleFactory(title="Agent toner", body="toner", audience=Audience.AGENTS),
        "draft": ArticleFactory(title="Draft toner", body="toner", status=ArticleStatus.DRAFT),
    }


def titles(response):
    return sorted(a["title"] for a in response.json()["results"])


def test_anyone_reads_public_articles_and_requesters_a_little_more(articles, requester):
    assert titles(client_for().get("/api/v1/knowledge/articles/")) == ["Public toner"]
    assert titles(client_for(requester).get("/api/v1/knowledge/articles/")) == [
        "Public toner",
        "Signed-in toner",
    ]
    hidden = articles["agents"].pk
    assert client_for(requester).get(f"/api/v1/knowledge/articles/{hidden}/").status_code == 404


def test_agents_read_everything_including_drafts(articles, agent, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        response = client_for(agent).get("/api/v1/knowledge/articles/")
    assert len(response.json()["results"]) == 4


def test_agents_write_and_requesters_cannot(requester, agent):
    payload = {"title": "Printer", "body": "Press *Print*.", "tags": ["printing"]}
    assert client_for(requester).post("/api/v1/knowledge/articles/", payload).status_code == 403
    assert client_for().post("/api/v1/knowledge/articles/", payload).status_code in (401, 403)
    response = client_for(agent).post("/api/v1/knowledge/articles/", payload, format="json")
    assert response.status_code == 201
    assert response.json()["body_html"] == "<p>Press <em>Print</em>.</p>"
    assert response.json()["status"] == "draft"


def test_bad_input_gets_a_400_naming_the_field(agent):
    response = client_for(agent).post(
        "/api/v1/knowledge/articles/", {"title": "x", "audience": "team"}, format="json"
    )
    assert response.status_code == 400
    assert "team" in response.json()


def test_publishing_through_the_api_needs_a_lead(agent, lead):
    article = ArticleFactory(status=ArticleStatus.DRAFT)
    url = f"/api/v1/knowledge/articles/{article.pk}/"
    response = client_for(agent).patch(url, {"status": "published"}, format="json")
    assert response.status_code == 400
    assert "status" in response.json()
    response = client_for(lead).patch(url, {"status": "published"}, format="json")
    assert response.json()["status"] == "published"


def test_search_api_filters_by_audience_and_survives_odd_input(articles, requester):
    response = client_for().get("/api/v1/knowledge/search/", {"q": "toner"})
    assert [r["title"] for r in response.json()["results"]] == ["Public toner"]
    response = client_for(requester).get("/api/v1/knowledge/search/", {"q": '"🔥 -" OR ('})
    assert response.status_code == 200
    assert (
        client_for().get("/api/v1/knowledge/search/", {"q": "x", "limit": "a"}).status_code == 400
    )
    assert SearchLog.objects.filter(source="api").exists()


def test_feedback_api(articles, requester):
    url = f"/api/v1/knowledge/articles/{articles['public'].pk}/feedback/"
    assert client_for(requester).post(url, {"helpful": True}, format="json").status_code == 201
    assert client_for(requester).post(url, {"helpful": False}, format="json").status_code == 201
    assert list(Feedback.objects.values_list("helpful", flat=True)) == [False]
    hidden = f"/api/v1/knowledge/articles/{articles['agents'].pk}/feedback/"
    assert client_for(requester).post(hidden, {"helpful": True}, format="json").status_code == 404


def test_numbers_api_is_for_leads(articles, agent, lead):
    assert client_for(agent).get("/api/v1/knowledge/numbers/").status_code == 403
    data = client_for(lead).get("/api/v1/knowledge/numbers/").json()
    assert {"articles", "weeks", "searches_without_results"} <= set(data)
    assert data["articles"][0].keys() >= {"views", "helpful_yes", "deflections", "tickets_resolved"}
