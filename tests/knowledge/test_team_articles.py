"""A "one team" article is for that team's agents and leads only: an agent of another team gets
a 404 for it everywhere (editor, revisions, files, search, the ticket's knowledge panel, the
API) and never sees it counted — seen from the attacker's side."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from apps.core.errors import ApplicationError
from apps.knowledge.models import ArticleStatus, Audience, LinkKind, Revision, TicketArticle
from apps.knowledge.services import (
    article_file_add,
    article_link_send,
    article_set_status,
    article_update,
)
from apps.tickets.services import ticket_create, ticket_update
from tests.conftest import signed_in

from .factories import ArticleFactory

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def secret(team, agent):
    """Service Desk's own runbook, published for the team only, with a file and a revision."""
    article = ArticleFactory(
        title="Break-glass admin password",
        slug="break-glass",
        body="The vault code is 4711.",
        audience=Audience.TEAM,
        team=team,
    )
    Revision.objects.create(
        article=article, number=1, title=article.title, body=article.body, audience="team"
    )
    article_file_add(
        article=article,
        user=agent,
        upload=SimpleUploadedFile("vault.png", b"\x89PNG...", content_type="image/png"),
    )
    return article


@pytest.fixture
def attacker(other_agent):
    return other_agent


@pytest.fixture
def attacker_ticket(requester, attacker, other_team, lookups):
    ticket = ticket_create(requester=requester, subject="vault code", description="x", **lookups)
    ticket_update(ticket=ticket, actor=attacker, data={"team": other_team})
    return ticket


def test_the_editor_answers_404_for_another_teams_article(attacker, secret):
    client = signed_in(attacker)
    for name in ("kb-desk:edit", "kb-desk:revisions"):
        assert client.get(reverse(name, args=[secret.pk])).status_code == 404
    edit = client.post(
        reverse("kb-desk:edit", args=[secret.pk]),
        {"title": "Owned", "body": "x", "audience": "public"},
    )
    status = client.post(reverse("kb-desk:status", args=[secret.pk]), {"status": "archived"})
    upload = client.post(
        reverse("kb-desk:file", args=[secret.pk]),
        {"file": SimpleUploadedFile("x.png", b"\x89PNG", content_type="image/png")},
    )
    assert (edit.status_code, status.status_code, upload.status_code) == (404, 404, 404)
    secret.refresh_from_db()
    assert (secret.title, secret.audience, secret.files.count()) == (
        "Break-glass admin password",
        Audience.TEAM,
        1,
    )


def test_the_article_list_and_the_editors_choices_leave_it_out(attacker, secret):
    client = signed_in(attacker)
    listing = client.get(reverse("kb-desk:articles")).content.decode()
    assert "Break-glass" not in listing
    assert (
        "Break-glass"
        not in client.get(reverse("kb-desk:articles"), {"q": "break"}).content.decode()
    )
    form = client.get(reverse("kb-desk:new")).context["form"]
    assert secret not in form.fields["related"].queryset


def test_its_files_are_not_served_to_another_team(attacker, agent, secret):
    url = reverse("kb:file", args=[secret.files.get().pk])
    assert signed_in(attacker).get(url).status_code == 404
    assert signed_in(agent).get(url).status_code == 200


def test_search_suggestions_and_the_panel_neither_show_nor_count_it(
    attacker, attacker_ticket, secret
):
    client = signed_in(attacker)
    portal = client.get(reverse("kb:home"), {"q": "vault"})
    assert portal.context["result"].hits == []
    assert "Break-glass" not in portal.content.decode()
    suggest = client.get(reverse("kb:suggest"), {"subject": "vault code"})
    assert suggest.context["articles"] == []
    panel = client.get(
        reverse("kb-desk:panel-search", args=[attacker_ticket.reference]), {"q": "vault"}
    )
    assert panel.context["hits"] == []
    assert "Break-glass" not in panel.content.decode()


def test_the_ticket_panel_does_not_list_or_send_it(attacker, attacker_ticket, secret, lead):
    TicketArticle.objects.create(ticket=attacker_ticket, article=secret, kind=LinkKind.SENT)
    client = signed_in(attacker)
    page = client.get(reverse("workspace:ticket", args=[attacker_ticket.reference]))
    assert "Break-glass" not in page.content.decode()
    send = client.post(reverse("kb-desk:panel-send", args=[attacker_ticket.reference, secret.pk]))
    assert send.status_code == 404
    with pytest.raises(ApplicationError) as refused:
        article_link_send(ticket=attacker_ticket, article=secret, agent=attacker)
    assert refused.value.code == "not_found"


def test_the_api_answers_404_and_lists_nothing(attacker, secret):
    client = api(attacker)
    base = f"/api/v1/knowledge/articles/{secret.pk}/"
    listed = client.get("/api/v1/knowledge/articles/").json()
    assert [a["title"] for a in listed["results"]] == []
    assert listed["count"] == 0
    for path in ("", "revisions/", "files/"):
        assert client.get(base + path).status_code == 404, path
    patch = client.patch(base, {"title": "Owned", "audience": "public"}, format="json")
    assert patch.status_code == 404
    approve = client.post(base + "revisions/1/approve/")
    assert approve.status_code == 404
    search = client.get("/api/v1/knowledge/search/", {"q": "vault"}).json()
    assert search["results"] == []
    secret.refresh_from_db()
    assert (secret.title, secret.audience) == ("Break-glass admin password", Audience.TEAM)


def test_the_services_refuse_another_team_too(attacker, secret):
    for write in (
        lambda: article_update(article=secret, actor=attacker, data={"title": "Owned"}),
        lambda: article_set_status(article=secret, actor=attacker, status=ArticleStatus.DRAFT),
        lambda: article_file_add(
            article=secret,
            user=attacker,
            upload=SimpleUploadedFile("x.png", b"\x89PNG", content_type="image/png"),
        ),
    ):
        with pytest.raises(ApplicationError) as refused:
            write()
        assert refused.value.code == "not_found"


def test_a_lead_of_another_team_cannot_reach_it_either(other_team, secret):
    from tests.factories import agent_of

    other_lead = agent_of(other_team, email="netlead@example.com", lead=True)
    assert signed_in(other_lead).get(reverse("kb-desk:edit", args=[secret.pk])).status_code == 404
    assert api(other_lead).get(f"/api/v1/knowledge/articles/{secret.pk}/").status_code == 404
    numbers = api(other_lead).get("/api/v1/knowledge/numbers/").json()["articles"]
    assert secret.pk not in [a["id"] for a in numbers]


def test_the_team_itself_and_admins_read_and_edit_it(agent, admin_user, secret):
    for user in (agent, admin_user):
        assert signed_in(user).get(reverse("kb-desk:edit", args=[secret.pk])).status_code == 200
        detail = api(user).get(f"/api/v1/knowledge/articles/{secret.pk}/")
        assert detail.json()["title"] == "Break-glass admin password"
        assert len(api(user).get(f"/api/v1/knowledge/articles/{secret.pk}/files/").json()) == 1
        assert (
            api(user).get(f"/api/v1/knowledge/articles/{secret.pk}/revisions/").json()["count"] == 1
        )
    assert [
        h["slug"]
        for h in api(agent).get("/api/v1/knowledge/search/", {"q": "vault"}).json()["results"]
    ] == ["break-glass"]


def test_the_admin_hides_it_from_staff_of_another_team(client, attacker, secret):
    attacker.is_staff = True
    attacker.save()
    from django.contrib.auth.models import Permission

    attacker.user_permissions.add(*Permission.objects.filter(codename__endswith="_article"))
    client.force_login(attacker)
    assert "Break-glass" not in client.get("/admin/knowledge/article/").content.decode()
    change = client.get(f"/admin/knowledge/article/{secret.pk}/change/")
    assert change.status_code in (302, 404)  # the admin redirects "does not exist" home
    assert "vault code" not in change.content.decode()
