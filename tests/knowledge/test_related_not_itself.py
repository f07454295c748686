"""An article cannot be related to itself: not offered in the editor, refused by the service,
the API, the admin, and by the database."""

import pytest
from django.db import IntegrityError, transaction
from rest_framework.test import APIClient

from apps.core.errors import ApplicationError
from apps.knowledge.models import Article
from apps.knowledge.services import article_update
from tests.conftest import signed_in

from .factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_the_service_refuses_it_and_keeps_the_others(agent, lead, vpn_article, password_article):
    # A lead's change to a published article applies at once (an agent's awaits approval).
    article_update(article=vpn_article, actor=lead, data={"related": [password_article.pk]})

    with pytest.raises(ApplicationError, match="cannot be related to itself") as refused:
        article_update(
            article=vpn_article,
            actor=agent,
            data={"related": [vpn_article.pk, password_article.pk]},
        )

    assert refused.value.field == "related"
    assert list(vpn_article.related.all()) == [password_article]
    assert list(password_article.related.all()) == [vpn_article]  # both ways


def test_the_editor_does_not_offer_it(agent, vpn_article, password_article):
    client = signed_in(agent)
    page = client.get(f"/desk/knowledge/{vpn_article.pk}/")
    related = page.context["form"].fields["related"].queryset

    assert password_article in related
    assert vpn_article not in related
    response = client.post(
        f"/desk/knowledge/{vpn_article.pk}/",
        {"title": vpn_article.title, "audience": "public", "related": [vpn_article.pk]},
    )
    assert response.status_code == 200  # the form again, with the error
    assert "related" in response.context["form"].errors
    assert not vpn_article.related.exists()


def test_the_api_answers_400_naming_the_field(agent, vpn_article):
    client = APIClient()
    client.force_authenticate(agent)

    response = client.patch(
        f"/api/v1/knowledge/articles/{vpn_article.pk}/",
        {"related": [vpn_article.pk]},
        format="json",
    )

    assert response.status_code == 400
    assert "related" in response.json()
    assert not vpn_article.related.exists()


def test_the_admin_does_not_offer_it(admin_client, vpn_article, password_article):
    page = admin_client.get(f"/admin/knowledge/article/{vpn_article.pk}/change/")
    related = page.context["adminform"].form.fields["related"].queryset

    assert password_article in related
    assert vpn_article not in related


def test_the_database_refuses_it(vpn_article):
    from apps.knowledge.models import RelatedArticle

    with pytest.raises(IntegrityError), transaction.atomic():
        RelatedArticle.objects.create(from_article=vpn_article, to_article=vpn_article)


def test_the_admin_saves_related_articles_both_ways(admin_client, vpn_article):
    other = ArticleFactory(title="VPN on a phone")
    data = {
        "title": vpn_article.title, "slug": vpn_article.slug, "summary": vpn_article.summary,
        "body": vpn_article.body, "audience": "public", "status": "published",
        "related": [other.pk],
        "revisions-TOTAL_FORMS": 0, "revisions-INITIAL_FORMS": 0,
    }  # fmt: skip

    response = admin_client.post(f"/admin/knowledge/article/{vpn_article.pk}/change/", data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(Article.objects.get(pk=other.pk).related.all()) == [vpn_article]
