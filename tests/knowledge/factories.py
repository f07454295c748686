"""Articles written straight to the table, rendered like the services would (for reads)."""

import factory
from factory.django import DjangoModelFactory

from apps.knowledge.models import Article, ArticleStatus, Audience, Section
from apps.knowledge.rendering import html_to_text, render_markdown


class SectionFactory(DjangoModelFactory):
    class Meta:
        model = Section
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Section {n}")
    slug = factory.Sequence(lambda n: f"section-{n}")


class ArticleFactory(DjangoModelFactory):
    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"Article number {n}")
    slug = factory.Sequence(lambda n: f"article-{n}")
    summary = "A short summary."
    body = "Some helpful text."
    body_html = factory.LazyAttribute(lambda a: render_markdown(a.body))
    body_text = factory.LazyAttribute(lambda a: html_to_text(a.body_html))
    audience = Audience.PUBLIC
    status = ArticleStatus.PUBLISHED
