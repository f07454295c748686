"""The ticket events the knowledge base records."""

from dataclasses import dataclass

from apps.tickets.events import declare


@declare("article_linked", "sent an article")
@dataclass(frozen=True)
class ArticleLinked:
    article_id: int
    title: str


@declare("article_drafted", "drafted an article from the ticket")
@dataclass(frozen=True)
class ArticleDrafted:
    article_id: int
    title: str
