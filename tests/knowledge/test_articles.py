"""Writing articles: drafts, review, publishing by leads, revisions with diffs, files."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.core.errors import ApplicationError
from apps.knowledge.models import ArticleStatus, Audience
from apps.knowledge.selectors import revision_diff
from apps.knowledge.services import (
    article_create,
    article_file_add,
    article_set_status,
    article_update,
)

pytestmark = pytest.mark.django_db


def test_an_agent_writes_a_draft_and_a_lead_publishes_it(agent, lead):
    article = article_create(author=agent, title="Printer offline", body="Turn it off and on.")
    assert article.status == ArticleStatus.DRAFT
    assert article.slug == "printer-offline"
    article = article_set_status(article=article, actor=agent, status=ArticleStatus.REVIEW)
    with pytest.raises(ApplicationError) as error:
        article_set_status(article=article, actor=agent, status=ArticleStatus.PUBLISHED)
    assert error.value.field == "status"
    article = article_set_status(article=article, actor=lead, status=ArticleStatus.PUBLISHED)
    assert article.status == ArticleStatus.PUBLISHED
    assert article.published_at is not None


def test_requesters_cannot_write_articles(requester):
    with pytest.raises(ApplicationError, match="Only agents"):
        article_create(author=requester, title="Mine")


def test_an_empty_title_is_refused_naming_the_field(agent):
    with pytest.raises(ApplicationError) as error:
        article_create(author=agent, title="   ")
    assert error.value.field == "title"


def test_a_team_article_needs_its_team(agent, team):
    with pytest.raises(ApplicationError) as error:
        article_create(author=agent, title="Secret", audience=Audience.TEAM)
    assert error.value.field == "team"
    article = article_create(author=agent, title="Secret", audience=Audience.TEAM, team=team.pk)
    assert article.team == team


def test_slugs_stay_unique(agent):
    first = article_create(author=agent, title="VPN")
    second = article_create(author=agent, title="VPN")
    assert (first.slug, second.slug) == ("vpn", "vpn-2")


def test_each_text_change_is_a_revision_with_author_and_diff(agent, lead):
    article = article_create(author=agent, title="Wi-Fi", body="Join *Guest*.\nAsk reception.")
    article_update(
        article=article,
        actor=lead,
        data={"body": "Join *Staff*.\nAsk reception."},
        note="Guest is gone",
    )
    article_update(article=article, actor=lead, data={"audience": Audience.REQUESTERS})
    revisions = list(article.revisions.order_by("number"))
    # Who may read it is history too: the audience change is a revision of its own.
    assert [(r.number, r.author) for r in revisions] == [(1, agent), (2, lead), (3, lead)]
    assert revisions[1].note == "Guest is gone"
    _revision, diff = revision_diff(article=article, number=2)
    assert ("del", "-Join *Guest*.") in diff
    assert ("add", "+Join *Staff*.") in diff
    _revision, diff = revision_diff(article=article, number=3)
    assert ("add", "+Audience: Signed-in people") in diff


def test_related_articles_and_tags(agent):
    vpn = article_create(author=agent, title="VPN")
    wifi = article_create(author=agent, title="Wi-Fi", tags=["Network", "wifi"], related=[vpn.pk])
    assert list(wifi.related.all()) == [vpn]
    assert sorted(t.name for t in wifi.tags.all()) == ["network", "wifi"]


def test_images_can_be_attached_but_not_executables(agent):
    article = article_create(author=agent, title="Printer")
    image = article_file_add(
        article=article,
        user=agent,
        upload=SimpleUploadedFile("tray.png", b"\x89PNG...", content_type="image/png"),
    )
    assert image.is_image
    with pytest.raises(ApplicationError) as error:
        article_file_add(
            article=article,
            user=agent,
            upload=SimpleUploadedFile("setup.exe", b"MZ", content_type="image/png"),
        )
    assert error.value.field == "file"


def test_publishing_an_empty_article_is_refused(agent, lead):
    article = article_create(author=agent, title="Empty")
    with pytest.raises(ApplicationError) as error:
        article_set_status(article=article, actor=lead, status=ArticleStatus.PUBLISHED)
    assert error.value.field == "body"
