"""Who may read, write, publish and approve articles. Views, the API, search, the admin and the
services ask only these (through ``selectors.article_queryset_for`` for querysets)."""

from django.db.models import Q

from .models import Article, ArticleStatus, Audience

# How many people an audience reaches; a non-lead may only narrow it.
AUDIENCE_REACH = {
    Audience.TEAM: 0,
    Audience.AGENTS: 1,
    Audience.REQUESTERS: 2,
    Audience.PUBLIC: 3,
}


def readable_articles_q(user) -> Q:
    """Published articles this person (possibly signed out) may read."""
    audiences = Q(audience=Audience.PUBLIC)
    if user is not None and user.is_authenticated:
        audiences |= Q(audience=Audience.REQUESTERS)
        if user.is_superuser:
            audiences |= Q(audience__in=[Audience.AGENTS, Audience.TEAM])
        elif user.is_agent:
            audiences |= Q(audience=Audience.AGENTS) | Q(
                audience=Audience.TEAM, team__in=user.team_ids
            )
    return Q(status=ArticleStatus.PUBLISHED) & audiences


def visible_articles_q(user) -> Q:
    """Every article this person may see at all. Editors see drafts and archived ones too, but
    a "one team" article only if they are in that team (superusers: all); everyone else what
    ``readable_articles_q`` allows."""
    if not can_edit(user):
        return readable_articles_q(user)
    if user.is_superuser:
        return Q()
    # A one-team article whose team was deleted (team NULL) is left to superusers.
    return ~Q(audience=Audience.TEAM) | Q(team__in=user.team_ids)


def can_edit(user) -> bool:
    """Agents and leads write articles; admins too."""
    return bool(user and user.is_authenticated and user.is_active and user.is_agent)


def can_publish(user) -> bool:
    """Whether this person leads any team: publishing is a lead's (or admin's) call. Whether
    they may publish *this* article is ``can_publish_article``."""
    return bool(user and user.is_authenticated and user.is_active and user.is_lead)


def can_publish_article(user, article: Article) -> bool:
    """Publish, archive, change a published article directly and approve others' changes: a
    lead of the article's team (any lead when it has none), or a superuser."""
    if not can_publish(user):
        return False
    if user.is_superuser:
        return True
    return article.team_id is None or article.team_id in user.led_team_ids


def can_approve(user, article: Article, *, team_id: int | None) -> bool:
    """Approve a change that leaves the article with ``team_id``: allowed for the article as it
    is and as it would be."""
    if not can_publish_article(user, article):
        return False
    return user.is_superuser or team_id is None or team_id in user.led_team_ids


def widens_audience(before: Article, *, audience: str, team_id: int | None) -> bool:
    """Would this audience reach people the article's current one does not? Moving a one-team
    article to another team does."""
    if AUDIENCE_REACH[audience] != AUDIENCE_REACH[before.audience]:
        return AUDIENCE_REACH[audience] > AUDIENCE_REACH[before.audience]
    return audience == Audience.TEAM and team_id != before.team_id


def can_read(user, article: Article) -> bool:
    return Article.objects.filter(readable_articles_q(user), pk=article.pk).exists()


def can_see(user, article: Article) -> bool:
    return Article.objects.filter(visible_articles_q(user), pk=article.pk).exists()


def readable_by_requester(article: Article, requester) -> bool:
    """Would the ticket's requester be able to open this article?"""
    return can_read(requester, article)
