"""Who may read and who may write articles. Views, the API and search ask only these."""

from django.db.models import Q

from .models import Article, ArticleStatus, Audience


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


def can_edit(user) -> bool:
    """Agents and leads write articles; admins too."""
    return bool(user and user.is_authenticated and user.is_active and user.is_agent)


def can_publish(user) -> bool:
    """Publishing and archiving is a lead's (or admin's) call; agents submit for review."""
    return bool(user and user.is_authenticated and user.is_active and user.is_lead)


def can_read(user, article: Article) -> bool:
    return Article.objects.filter(readable_articles_q(user), pk=article.pk).exists()


def readable_by_requester(article: Article, requester) -> bool:
    """Would the ticket's requester be able to open this article?"""
    return can_read(requester, article)
