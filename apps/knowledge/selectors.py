"""Reads of the knowledge base, shaped for the page or endpoint that shows them."""

import difflib
import re
from datetime import timedelta

from django.db import connection
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Left, TruncWeek
from django.http import Http404
from django.utils import timezone

from apps.accounts.models import User
from apps.tickets.models import Comment, Status, Ticket
from apps.tickets.permissions import visible_tickets_q

from .models import (
    Article,
    ArticleFile,
    ArticleStatus,
    Audience,
    Deflection,
    Feedback,
    LinkKind,
    Revision,
    RevisionStatus,
    SearchLog,
    Section,
    TicketArticle,
)
from .permissions import can_edit, readable_articles_q, visible_articles_q
from .search import SEARCH_TEXT_MAX_CHARS, article_search, parse_query


def article_get_readable(*, user, slug: str) -> Article:
    """A published article this person may read, or 404 (also when it exists but is not for
    them, so nobody learns what agents-only articles are called)."""
    article = (
        Article.objects.filter(readable_articles_q(user), slug=slug)
        .select_related("section")
        .prefetch_related("tags")
        .first()
    )
    if article is None:
        raise Http404("No such article.")
    return article


def article_queryset_for(user) -> QuerySet[Article]:
    """Every article this person may see, whatever the page: editors every status but one-team
    articles only of their own teams, everyone else what they may read. Every read path that
    is not the published help centre starts here, so another team's article is a 404 (never
    a 403) and counts nowhere."""
    return Article.objects.filter(visible_articles_q(user))


def article_get_for_edit(*, user: User, pk: int) -> Article:
    if not can_edit(user):
        raise Http404("No such article.")
    article = (
        article_queryset_for(user).select_related("section", "team", "author").filter(pk=pk).first()
    )
    if article is None:
        raise Http404("No such article.")
    return article


def related_articles_for(*, article: Article, user) -> QuerySet[Article]:
    return article.related.filter(readable_articles_q(user)).order_by("title")


def article_files_readable(*, user, pk: int) -> ArticleFile:
    """A file, if the person may read (or edit) its article; else 404."""
    file = (
        ArticleFile.objects.select_related("article")
        .filter(pk=pk, article__in=article_queryset_for(user))
        .first()
    )
    if file is None:
        raise Http404("No such file.")
    return file


def sections_with_articles(*, user) -> list[Section]:
    """The help centre's front page: each section with its readable articles, most read first."""
    readable = Article.objects.filter(readable_articles_q(user)).order_by("-view_count", "title")
    sections = list(Section.objects.order_by("order", "name"))
    by_section: dict[int | None, list[Article]] = {}
    for article in readable.only("title", "slug", "summary", "section_id", "view_count")[:300]:
        by_section.setdefault(article.section_id, []).append(article)
    for section in sections:
        section.readable = by_section.get(section.pk, [])[:8]
    return [s for s in sections if s.readable]


def popular_articles(*, user, limit: int = 6) -> QuerySet[Article]:
    return Article.objects.filter(readable_articles_q(user)).order_by("-view_count", "title")[
        :limit
    ]


def article_list_for_workspace(*, user: User, status: str = "", query: str = "") -> QuerySet:
    """Every article for editors, with the counts the list shows, in one query."""
    if not can_edit(user):
        return Article.objects.none()
    qs = (
        article_queryset_for(user)
        .select_related("section", "author")
        .annotate(
            pending_count=Count("revisions", filter=Q(revisions__status=RevisionStatus.PENDING))
        )
        .order_by("-updated_at", "-id")
    )
    if status in ArticleStatus.values:
        qs = qs.filter(status=status)
    for word in parse_query(query).words[:5]:
        qs = qs.filter(Q(title__icontains=word) | Q(summary__icontains=word))
    return qs


def article_suggest(*, user, subject: str, category_id: int | None, limit: int = 5) -> list:
    """Articles to offer beside the new-ticket form: matches for the subject, those written for
    the chosen category first; with no subject yet, the category's most read articles."""
    if parse_query(subject).is_empty:
        if not category_id:
            return []
        return list(
            Article.objects.filter(readable_articles_q(user), categories=category_id)
            .select_related("section")
            .order_by("-view_count", "title")[:limit]
        )
    hits = article_search(query=subject, user=user, limit=limit * 2).hits
    if category_id and hits:
        in_category = set(
            Article.categories.through.objects.filter(
                category_id=category_id, article_id__in=[h.article.pk for h in hits]
            ).values_list("article_id", flat=True)
        )
        hits.sort(key=lambda h: h.article.pk not in in_category)  # stable: keeps rank order
    return [h.article for h in hits[:limit]]


def revision_list(*, article: Article) -> QuerySet[Revision]:
    return article.revisions.select_related("author", "reviewed_by").order_by("-number")


def _lines(r) -> list[str]:
    """An article or revision as the lines a diff compares: who may read it, then the text."""
    if r is None:
        return []
    audience = Audience(r.audience).label
    team = f" ({r.team})" if r.team_id else ""
    return [f"Audience: {audience}{team}", f"# {r.title}", r.summary, "", *r.body.splitlines()]


def _diff(before, after, fromfile: str, tofile: str) -> list[tuple[str, str]]:
    diff = difflib.unified_diff(
        _lines(before), _lines(after), fromfile=fromfile, tofile=tofile, lineterm=""
    )
    kinds = {"+": "add", "-": "del", "@": "hunk"}
    return [(kinds.get(line[:1], "ctx"), line) for line in diff]


def revision_diff(*, article: Article, number: int) -> tuple[Revision, list[tuple[str, str]]]:
    """Revision ``number`` and its line diff, as (css class, line): a saved revision against
    the saved one before; a pending change against the article as it is now (what approving
    would change); an approved or rejected one against the revision it was written on."""
    revision = (
        article.revisions.select_related("author", "team", "reviewed_by")
        .filter(number=number)
        .first()
    )
    if revision is None:
        raise Http404("No such revision.")
    if revision.status == RevisionStatus.PENDING:
        return revision, pending_diff(revision=revision, article=article)
    saved = article.revisions.select_related("team").filter(status=RevisionStatus.APPLIED)
    if revision.status == RevisionStatus.APPLIED:
        previous = saved.filter(number__lt=number).order_by("-number").first()
    else:
        previous = saved.filter(number=revision.base_number).first()
    return revision, _diff(
        previous, revision, f"r{previous.number}" if previous else "(none)", f"r{revision.number}"
    )


def pending_diff(*, revision: Revision, article: Article) -> list[tuple[str, str]]:
    """What approving ``revision`` would change in the article as it is now."""
    return _diff(article, revision, "published", f"r{revision.number} (proposed)")


def pending_revisions_for(*, user: User) -> QuerySet[Revision]:
    """Changes awaiting approval that ``user`` may approve, oldest first: of articles of the
    teams they lead, and of articles without a team (superusers: all)."""
    if not (can_edit(user) and user.is_lead):
        return Revision.objects.none()
    qs = Revision.objects.filter(
        status=RevisionStatus.PENDING, article__in=article_queryset_for(user)
    )
    if not user.is_superuser:
        led = user.led_team_ids
        qs = qs.filter(Q(article__team__isnull=True) | Q(article__team__in=led)).filter(
            Q(team__isnull=True) | Q(team__in=led)
        )
    # The number of the article's latest saved revision: a proposal written on an older one
    # would undo what changed since (the page says so).
    live = Revision.objects.filter(article=OuterRef("article"), status=RevisionStatus.APPLIED)
    return (
        qs.select_related("article__team", "article__section", "team", "author")
        .annotate(live_number=Subquery(live.order_by("-number").values("number")[:1]))
        .order_by("created_at", "pk")
    )


def pending_revision_get(*, user: User, pk: int) -> Revision:
    revision = pending_revisions_for(user=user).filter(pk=pk).first()
    if revision is None:
        raise Http404("No such change.")
    return revision


def own_revisions_awaiting(*, user: User, article: Article) -> dict:
    """This person's latest proposal for the article, and a rejection since, for the editor."""
    mine = article.revisions.filter(author=user).exclude(status=RevisionStatus.APPLIED)
    latest = mine.select_related("reviewed_by").order_by("-number").first()
    return {
        "pending": latest if latest and latest.status == RevisionStatus.PENDING else None,
        "rejected": latest if latest and latest.status == RevisionStatus.REJECTED else None,
    }


def links_for_ticket(*, ticket: Ticket, user: User) -> QuerySet[TicketArticle]:
    """The ticket's articles that ``user`` may see (not another team's one-team article)."""
    return (
        ticket.article_links.filter(article__in=article_queryset_for(user))
        .select_related("article", "linked_by")
        .order_by("-created_at")
    )


def ticket_solution_search(*, user: User, query: str, limit: int = 5) -> list[dict]:
    """Resolved tickets the agent may see whose subject or description matches, each with its
    solution (the last public reply by support). Full text on PostgreSQL, words on SQLite."""
    parsed = parse_query(query)
    if parsed.is_empty or not user.is_agent:
        return []
    qs = Ticket.objects.filter(visible_tickets_q(user), status__in=[Status.RESOLVED, Status.CLOSED])
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        # A prefix of the description: to_tsvector fails on text whose vector passes 1 MB,
        # and one such ticket would make every agent's search fail.
        description = Left("description", SEARCH_TEXT_MAX_CHARS)
        vector = SearchVector("subject", weight="A", config="english") + SearchVector(
            description, weight="B", config="english"
        )
        search = SearchQuery(parsed.text, search_type="websearch", config="english")
        qs = (
            qs.annotate(rank=SearchRank(vector, search))
            .filter(rank__gt=0)
            .order_by("-rank", "-resolved_at")
        )
    else:
        for word in parsed.words[:6]:
            qs = qs.filter(Q(subject__icontains=word) | Q(description__icontains=word))
        qs = qs.order_by("-resolved_at")
    tickets = list(qs.only("id", "subject", "resolved_at", "requester_id")[:limit])
    return [{"ticket": t, "solution": _solutions([t]).get(t.pk, "")} for t in tickets]


def _solutions(tickets: list[Ticket]) -> dict[int, str]:
    out: dict[int, str] = {}
    for ticket in tickets:
        reply = (
            Comment.objects.filter(ticket=ticket, is_internal=False)
            .exclude(author_id=ticket.requester_id)
            .order_by("-created_at", "-id")
            .values_list("body", flat=True)
            .first()
        )
        out[ticket.pk] = re.sub(r"\s+", " ", reply or "")[:280]
    return out


# --- Numbers for leads ---------------------------------------------------------------------


def _count(model, filter_q: Q):
    """A correlated COUNT per article: avoids the row blow-up of joining four tables."""
    sub = (
        model.objects.filter(filter_q, article=OuterRef("pk"))
        .order_by()
        .values("article")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


def article_numbers(*, user: User) -> QuerySet[Article]:
    """Per article ``user`` may see: views, helpful / not helpful votes, deflections that still
    count, and tickets resolved with it — one query."""
    return (
        article_queryset_for(user)
        .exclude(status=ArticleStatus.DRAFT)
        .annotate(
            helpful_yes=_count(Feedback, Q(helpful=True)),
            helpful_no=_count(Feedback, Q(helpful=False)),
            deflection_count=_count(Deflection, Q(cancelled_at=None)),
            resolved_ticket_count=_count(
                TicketArticle, Q(kind=LinkKind.SENT, resolved_at__isnull=False)
            ),
        )
        .order_by("-view_count", "title")
    )


def weekly_numbers(*, weeks: int = 12) -> list[dict]:
    """Per week (Monday): tickets resolved by documentation, and deflections that count."""
    since = timezone.now() - timedelta(weeks=weeks)
    resolved = (
        TicketArticle.objects.filter(kind=LinkKind.SENT, resolved_at__gte=since)
        .annotate(week=TruncWeek("resolved_at"))
        .values("week")
        .annotate(n=Count("ticket", distinct=True))
    )
    deflected = (
        Deflection.objects.filter(cancelled_at=None, created_at__gte=since)
        .annotate(week=TruncWeek("created_at"))
        .values("week")
        .annotate(n=Count("pk"))
    )
    rows: dict = {}
    for row in resolved:
        rows.setdefault(row["week"].date(), {"resolved_by_documentation": 0, "deflections": 0})[
            "resolved_by_documentation"
        ] = row["n"]
    for row in deflected:
        rows.setdefault(row["week"].date(), {"resolved_by_documentation": 0, "deflections": 0})[
            "deflections"
        ] = row["n"]
    return [{"week": week, **counts} for week, counts in sorted(rows.items(), reverse=True)]


def empty_searches(*, days: int = 30, limit: int = 20) -> list[dict]:
    """What people searched for and did not find: what to write next."""
    since = timezone.now() - timedelta(days=days)
    return list(
        SearchLog.objects.filter(results=0, created_at__gte=since)
        .values("query")
        .annotate(times=Count("pk"))
        .order_by("-times", "query")[:limit]
    )
