"""A non-lead's change to a published article awaits a lead's approval: readers keep the
published text until a lead of the article's team approves; rejecting keeps a reason. Nobody but
a lead lets more people read an article — through the editor, the API or the admin."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from apps.core.errors import ApplicationError
from apps.knowledge.models import Article, ArticleStatus, Audience, Revision, RevisionStatus
from apps.knowledge.search import article_search
from apps.knowledge.selectors import pending_revisions_for
from apps.knowledge.services import (
    article_create,
    article_update,
    revision_approve,
    revision_reject,
)
from tests.conftest import signed_in
from tests.factories import agent_of

from .factories import ArticleFactory, SectionFactory

pytestmark = pytest.mark.django_db

PUBLISHED_BODY = "Open **GlobalConnect** and sign in."


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def public(agent):
    article = ArticleFactory(
        title="Connect to the VPN", slug="vpn", body=PUBLISHED_BODY, audience=Audience.PUBLIC
    )
    Revision.objects.create(
        article=article, number=1, title=article.title, body=article.body, author=agent
    )
    return article


@pytest.fixture
def agents_only(db):
    return ArticleFactory(
        title="Firewall override", slug="firewall", body="Use code 9.", audience=Audience.AGENTS
    )


def portal_text(slug: str) -> str:
    return APIClient().get(reverse("kb:article", args=[slug])).content.decode()


def test_an_agents_edit_in_the_editor_awaits_approval(agent, public):
    client = signed_in(agent)
    response = client.post(
        reverse("kb-desk:edit", args=[public.pk]),
        {
            "title": "Connect to the VPN",
            "body": "Send your password to evil.example.",
            "audience": "public",
            "note": "x",
        },
        follow=True,
    )
    assert "Your change awaits a lead&#x27;s approval" in response.content.decode()
    public.refresh_from_db()
    assert public.body == PUBLISHED_BODY
    assert "evil.example" not in portal_text("vpn")
    assert article_search(query="evil", user=None).hits == []
    pending = public.revisions.get(status=RevisionStatus.PENDING)
    assert (pending.author, pending.body, pending.base_number) == (
        agent,
        "Send your password to evil.example.",
        1,
    )
    # Back in the editor the agent amends their own change, not the published text.
    page = client.get(reverse("kb-desk:edit", args=[public.pk]))
    assert page.context["form"].initial["body"] == "Send your password to evil.example."
    assert "awaits a lead" in page.content.decode()


def test_an_agents_api_patch_awaits_approval(agent, public):
    response = api(agent).patch(
        f"/api/v1/knowledge/articles/{public.pk}/",
        {"title": "Hacked", "body": "Call 0900-SCAM."},
        format="json",
    )
    assert response.status_code == 202
    data = response.json()
    assert data["revision"]["status"] == "pending"
    assert data["article"]["title"] == "Connect to the VPN"
    public.refresh_from_db()
    assert (public.title, public.body) == ("Connect to the VPN", PUBLISHED_BODY)
    assert "0900-SCAM" not in portal_text("vpn")
    read = APIClient().get(f"/api/v1/knowledge/articles/{public.pk}/").json()
    assert read["body"] == PUBLISHED_BODY


def test_saving_again_replaces_the_authors_pending_change(agent, public):
    article_update(article=public, actor=agent, data={"body": "First try."})
    article_update(article=public, actor=agent, data={"body": "Second try."})
    pending = public.revisions.filter(status=RevisionStatus.PENDING)
    assert list(pending.values_list("body", flat=True)) == ["Second try."]


def test_a_lead_approves_and_readers_get_the_change(agent, lead, public):
    section = SectionFactory(name="Remote work", slug="remote")
    article_update(
        article=public,
        actor=agent,
        data={"body": "Open **Zscaler**.", "tags": ["vpn"], "section": section.pk},
        note="New client",
    )
    pending = public.revisions.get(status=RevisionStatus.PENDING)
    assert list(pending_revisions_for(user=lead)) == [pending]
    assert list(pending_revisions_for(user=agent)) == []

    client = signed_in(lead)
    page = client.get(reverse("kb-desk:pending"))
    body = page.content.decode()
    assert "+Open **Zscaler**." in body
    assert "-Open **GlobalConnect** and sign in." in body
    assert signed_in(agent).get(reverse("kb-desk:pending")).status_code == 404
    assert (
        signed_in(agent).post(reverse("kb-desk:pending-approve", args=[pending.pk])).status_code
        == 404
    )

    client.post(reverse("kb-desk:pending-approve", args=[pending.pk]))
    public.refresh_from_db()
    assert public.status == ArticleStatus.PUBLISHED
    assert public.body == "Open **Zscaler**."
    assert "Zscaler" in public.body_html
    assert public.section == section
    assert [t.name for t in public.tags.all()] == ["vpn"]
    assert "Zscaler" in portal_text("vpn")
    assert [h.article for h in article_search(query="zscaler", user=None).hits] == [public]
    pending.refresh_from_db()
    assert (pending.status, pending.reviewed_by) == (RevisionStatus.APPROVED, lead)
    applied = public.revisions.order_by("-number").first()
    assert (applied.status, applied.author, applied.reviewed_by) == (
        RevisionStatus.APPLIED,
        agent,
        lead,
    )
    with pytest.raises(ApplicationError, match="already approved"):
        revision_approve(revision=pending, actor=lead)


def test_a_lead_rejects_with_a_reason_the_author_reads(agent, lead, public):
    article_update(article=public, actor=agent, data={"body": "Wrong."})
    pending = public.revisions.get(status=RevisionStatus.PENDING)
    with pytest.raises(ApplicationError) as refused:
        revision_reject(revision=pending, actor=lead, reason="  ")
    assert refused.value.field == "reason"
    signed_in(lead).post(
        reverse("kb-desk:pending-reject", args=[pending.pk]), {"reason": "We still use GC."}
    )
    pending.refresh_from_db()
    assert (pending.status, pending.review_note) == (RevisionStatus.REJECTED, "We still use GC.")
    public.refresh_from_db()
    assert public.body == PUBLISHED_BODY
    page = signed_in(agent).get(reverse("kb-desk:edit", args=[public.pk])).content.decode()
    assert "We still use GC." in page


def test_approving_through_the_api(agent, lead, public):
    api(agent).patch(f"/api/v1/knowledge/articles/{public.pk}/", {"body": "New."}, format="json")
    number = public.revisions.get(status=RevisionStatus.PENDING).number
    url = f"/api/v1/knowledge/articles/{public.pk}/revisions/{number}/approve/"
    assert api(agent).post(url).status_code == 400  # not a lead
    assert [r["number"] for r in api(lead).get("/api/v1/knowledge/pending/").json()["results"]] == [
        number
    ]
    response = api(lead).post(url)
    assert response.status_code == 200
    assert response.json()["body"] == "New."
    revisions = api(agent).get(f"/api/v1/knowledge/articles/{public.pk}/revisions/").json()
    assert [r["status"] for r in revisions["results"]][:2] == ["applied", "approved"]


def test_only_a_lead_of_the_articles_team_approves(agent, lead, team, other_team):
    article = ArticleFactory(title="Desk runbook", audience=Audience.TEAM, team=team)
    article_update(article=article, actor=agent, data={"body": "Changed."})
    pending = article.revisions.get(status=RevisionStatus.PENDING)
    # A lead of another team who is also an agent here may read it, but not approve it.
    other_lead = agent_of(other_team, email="netlead@example.com", lead=True)
    agent_of(team, email="netlead@example.com")
    other_lead = type(other_lead).objects.get(pk=other_lead.pk)
    assert list(pending_revisions_for(user=other_lead)) == []
    with pytest.raises(ApplicationError, match="Only a lead of this article"):
        revision_approve(revision=pending, actor=other_lead)
    revision_approve(revision=pending, actor=lead)
    article.refresh_from_db()
    assert article.body == "Changed."


def test_a_non_lead_cannot_widen_the_audience_in_the_editor_or_the_api(agent, agents_only, team):
    response = signed_in(agent).post(
        reverse("kb-desk:edit", args=[agents_only.pk]),
        {"title": agents_only.title, "body": agents_only.body, "audience": "public"},
    )
    assert response.status_code == 200
    assert "Only a lead can let more people read" in response.content.decode()
    response = api(agent).patch(
        f"/api/v1/knowledge/articles/{agents_only.pk}/", {"audience": "public"}, format="json"
    )
    assert response.status_code == 400
    assert "audience" in response.json()
    agents_only.refresh_from_db()
    assert agents_only.audience == Audience.AGENTS
    assert not agents_only.revisions.filter(status=RevisionStatus.PENDING).exists()
    assert "Use code 9" not in portal_text("firewall")


def test_widening_a_draft_or_moving_a_team_article_is_refused_too(agent, team, other_team):
    draft = article_create(author=agent, title="Internal", audience=Audience.AGENTS)
    with pytest.raises(ApplicationError) as refused:
        article_update(article=draft, actor=agent, data={"audience": Audience.REQUESTERS})
    assert refused.value.field == "audience"
    mine = article_create(author=agent, title="Ours", audience=Audience.TEAM, team=team.pk)
    with pytest.raises(ApplicationError) as refused:
        article_update(article=mine, actor=agent, data={"team": other_team.pk})
    assert refused.value.field == "team"
    # Narrowing is fine, and drafts change at once.
    article_update(article=draft, actor=agent, data={"audience": Audience.TEAM, "team": team.pk})
    draft.refresh_from_db()
    assert (draft.audience, draft.team) == (Audience.TEAM, team)


def test_a_lead_widens_and_edits_directly(lead, agents_only):
    response = api(lead).patch(
        f"/api/v1/knowledge/articles/{agents_only.pk}/",
        {"audience": "public", "body": "Call the desk."},
        format="json",
    )
    assert response.status_code == 200
    agents_only.refresh_from_db()
    assert (agents_only.audience, agents_only.body) == (Audience.PUBLIC, "Call the desk.")


def test_narrowing_a_published_article_also_awaits_approval(agent, lead, public):
    article_update(article=public, actor=agent, data={"audience": Audience.AGENTS})
    public.refresh_from_db()
    assert public.audience == Audience.PUBLIC
    pending = public.revisions.get(status=RevisionStatus.PENDING)
    revision_approve(revision=pending, actor=lead)
    public.refresh_from_db()
    assert public.audience == Audience.AGENTS


def test_agents_still_cannot_publish(agent, public):
    draft = ArticleFactory(status=ArticleStatus.DRAFT)
    for article, status in ((draft, "published"), (public, "archived")):
        response = api(agent).patch(
            f"/api/v1/knowledge/articles/{article.pk}/", {"status": status}, format="json"
        )
        assert response.status_code == 400
    assert Article.objects.get(pk=draft.pk).status == ArticleStatus.DRAFT
    with pytest.raises(ApplicationError):
        article_create(author=agent, title="Now", body="x", status=ArticleStatus.PUBLISHED)


def test_the_admin_keeps_published_text_read_only_for_non_leads(client, agent, public):
    from django.contrib.auth.models import Permission

    agent.is_staff = True
    agent.save()
    agent.user_permissions.add(*Permission.objects.filter(codename__endswith="_article"))
    client.force_login(agent)
    page = client.get(f"/admin/knowledge/article/{public.pk}/change/")
    assert page.status_code == 200  # to view only
    assert "body" not in page.context["adminform"].form.fields
    response = client.post(
        f"/admin/knowledge/article/{public.pk}/change/",
        {"title": "VPN", "body": "Admin rewrite", "audience": "public", "status": "published"},
    )
    assert response.status_code == 403
    public.refresh_from_db()
    assert public.body == PUBLISHED_BODY


def test_the_pending_page_costs_the_same_for_many_changes(
    agent, lead, django_assert_max_num_queries
):
    for n in range(12):
        article = ArticleFactory(title=f"Article {n}")
        article_update(article=article, actor=agent, data={"body": f"Change {n}"})
    client = signed_in(lead)
    client.get(reverse("kb-desk:pending"))
    with django_assert_max_num_queries(12):
        response = client.get(reverse("kb-desk:pending"))
    assert response.content.decode().count("Approve and publish") == 12
