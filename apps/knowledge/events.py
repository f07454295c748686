"""The ticket events the knowledge base records."""

from dataclasses import dataclass

from apps.tickets import history as h
from apps.tickets.events import declare


@declare("article_linked", "sent an article")
@dataclass(frozen=True)
class ArticleLinked:
    article_id: int
    title: str

    def describe(self, event) -> str:
        return f"Article “{self.title}” sent to the requester{h.by(event)}"


@declare("article_drafted", "drafted an article from the ticket")
@dataclass(frozen=True)
class ArticleDrafted:
    article_id: int
    title: str

    def describe(self, event) -> str:
        return f"Article “{self.title}” drafted from this ticket{h.by(event)}"
