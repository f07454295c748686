"""Writes of the knowledge base: articles and their revisions, files, feedback, deflections,
links between articles and tickets, and the search log."""

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from apps.accounts.models import Team, User
from apps.core.errors import ApplicationError
from apps.core.numbers import as_id, is_id
from apps.tickets.events import event_record, ticket_transaction
from apps.tickets.models import Category, Comment, Status, Tag, Ticket
from apps.tickets.permissions import can_work
from apps.tickets.services import attachment_content_type, attachments_validate, comment_add

from .events import ArticleDrafted, ArticleLinked
from .models import (
    Article,
    ArticleFile,
    ArticleStatus,
    Audience,
    Deflection,
    DeflectionKind,
    Feedback,
    LinkKind,
    Revision,
    SearchLog,
    Section,
    TicketArticle,
)
from .permissions import can_edit, can_publish, readable_by_requester
from .rendering import html_to_text, render_markdown

# A "viewed from a suggestion" deflection no longer counts if the same person opens a ticket
# within this long: the article did not solve it.
DEFLECTION_WINDOW = timedelta(hours=2)
CONTENT_FIELDS = ("title", "summary", "body")
EDITABLE_FIELDS = (*CONTENT_FIELDS, "section", "audience", "team", "tags", "categories", "related")
# Which status changes an agent may make; anything else needs a lead.
AGENT_TRANSITIONS = {
    (ArticleStatus.DRAFT, ArticleStatus.REVIEW),
    (ArticleStatus.REVIEW, ArticleStatus.DRAFT),
}


def _require_editor(user: User) -> None:
    if not can_edit(user):
        raise ApplicationError("Only agents can write articles.", code="forbidden")


def _unique_slug(title: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(title)[:200] or "article"
    slug, n = base, 2
    while Article.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _clean(data: dict) -> dict:
    """Normalise the editable fields present in ``data``; errors name the field."""
    cleaned = dict(data)
    if "title" in data:
        cleaned["title"] = (data["title"] or "").strip()[:200]
        if not cleaned["title"]:
            raise ApplicationError("Give the article a title.", field="title")
    if "summary" in data:
        cleaned["summary"] = (data["summary"] or "").strip()[:300]
    if "body" in data:
        cleaned["body"] = (data["body"] or "").replace("\r\n", "\n")
    if "audience" in data and data["audience"] not in Audience.values:
        raise ApplicationError(f"Unknown audience {data['audience']!r}.", field="audience")
    for name, model in (("section", Section), ("team", Team)):
        value = data.get(name)
        if value is not None and not isinstance(value, model):
            cleaned[name] = model.objects.filter(pk=as_id(value)).first() if is_id(value) else None
            if cleaned[name] is None:
                raise ApplicationError(f"Unknown {name}: {value!r}.", field=name)
    if "tags" in data:
        names = sorted({slugify(str(t))[:50] for t in data["tags"] or [] if slugify(str(t))})
        cleaned["tags"] = names
    return cleaned


def _check_audience(article: Article) -> None:
    if article.audience == Audience.TEAM and article.team_id is None:
        raise ApplicationError("Choose the team that may read this article.", field="team")
    if article.audience != Audience.TEAM:
        article.team = None


def _apply_relations(article: Article, cleaned: dict) -> None:
    if "tags" in cleaned:
        article.tags.set([Tag.objects.get_or_create(name=n)[0] for n in cleaned["tags"]])
    if "categories" in cleaned:
        article.categories.set(Category.objects.filter(pk__in=list(cleaned["categories"] or [])))
    if "related" in cleaned:
        ids = {int(getattr(r, "pk", r)) for r in cleaned["related"] or []} - {article.pk}
        article.related.set(Article.objects.filter(pk__in=ids))


def _render(article: Article) -> None:
    article.body_html = render_markdown(article.body)
    article.body_text = html_to_text(article.body_html)


def _revision_add(article: Article, author: User | None, note: str = "") -> Revision:
    last = article.revisions.order_by("-number").values_list("number", flat=True).first() or 0
    return Revision.objects.create(
        article=article,
        number=last + 1,
        title=article.title,
        summary=article.summary,
        body=article.body,
        author=author,
        note=note[:200],
    )


@ticket_transaction()
def article_create(
    *,
    author: User,
    title: str,
    summary: str = "",
    body: str = "",
    audience: str = Audience.PUBLIC,
    section=None,
    team=None,
    tags: Iterable[str] = (),
    categories: Iterable = (),
    related: Iterable = (),
    source_ticket: Ticket | None = None,
    status: str = ArticleStatus.DRAFT,
) -> Article:
    """A new article (a draft unless a lead says otherwise), with its first revision."""
    _require_editor(author)
    if status != ArticleStatus.DRAFT and not can_publish(author):
        raise ApplicationError("Only a team lead can publish an article.", field="status")
    cleaned = _clean(
        {
            "title": title,
            "summary": summary,
            "body": body,
            "audience": audience,
            "section": section,
            "team": team,
            "tags": list(tags),
            "categories": list(categories),
            "related": list(related),
        }
    )
    now = timezone.now()
    article = Article(
        title=cleaned["title"],
        slug=_unique_slug(cleaned["title"]),
        summary=cleaned["summary"],
        body=cleaned["body"],
        audience=cleaned["audience"],
        section=cleaned["section"],
        team=cleaned["team"],
        status=status,
        author=author,
        source_ticket=source_ticket,
        created_at=now,
        updated_at=now,
        published_at=now if status == ArticleStatus.PUBLISHED else None,
    )
    _check_audience(article)
    _render(article)
    article.save()
    _apply_relations(article, cleaned)
    _revision_add(article, author, note="Created")
    return article


@ticket_transaction()
def article_update(*, article: Article, actor: User, data: dict, note: str = "") -> Article:
    """Change any of EDITABLE_FIELDS; a change to the text adds a revision."""
    _require_editor(actor)
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        field = sorted(unknown)[0]
        raise ApplicationError(f"“{field}” cannot be changed here.", field=field)
    cleaned = _clean(data)
    locked = Article.objects.select_for_update().get(pk=article.pk)
    content_changed = any(f in cleaned and cleaned[f] != getattr(locked, f) for f in CONTENT_FIELDS)
    for name in ("title", "summary", "body", "audience", "section", "team"):
        if name in cleaned:
            setattr(locked, name, cleaned[name])
    _check_audience(locked)
    _render(locked)
    locked.updated_at = timezone.now()
    locked.save()
    _apply_relations(locked, cleaned)
    if content_changed:
        _revision_add(locked, actor, note=note)
    return locked


@ticket_transaction()
def article_save_from_admin(
    *, article: Article, actor: User, note: str = "Edited in admin"
) -> Article:
    """Django admin edits the row directly: render it, and keep the revision history whole."""
    if article.pk:
        before = Article.objects.filter(pk=article.pk).values(*CONTENT_FIELDS).first() or {}
        changed = any(before.get(f) != getattr(article, f) for f in CONTENT_FIELDS)
    else:
        article.slug = article.slug or _unique_slug(article.title)
        changed = True
    _check_audience(article)
    _render(article)
    article.updated_at = timezone.now()
    if article.status == ArticleStatus.PUBLISHED and not article.published_at:
        article.published_at = article.updated_at
    article.save()
    if changed:
        _revision_add(article, actor, note=note)
    return article


@ticket_transaction()
def article_set_status(*, article: Article, actor: User, status: str) -> Article:
    """Move through draft → in review → published → archived. Agents may submit a draft for
    review (or take it back); publishing and archiving is for leads."""
    _require_editor(actor)
    if status not in ArticleStatus.values:
        raise ApplicationError(f"Unknown status {status!r}.", field="status")
    locked = Article.objects.select_for_update().get(pk=article.pk)
    if locked.status == status:
        return locked
    if (locked.status, status) not in AGENT_TRANSITIONS and not can_publish(actor):
        raise ApplicationError(
            "Only a team lead can publish or archive an article.", field="status"
        )
    if status == ArticleStatus.PUBLISHED and not locked.body.strip():
        raise ApplicationError("Write the article before publishing it.", field="body")
    locked.status = status
    locked.updated_at = timezone.now()
    if status == ArticleStatus.PUBLISHED:
        locked.published_at = locked.updated_at
    locked.save(update_fields=["status", "updated_at", "published_at"])
    return locked


@ticket_transaction()
def article_file_add(*, article: Article, user: User, upload: UploadedFile) -> ArticleFile:
    """Attach an image or file; images can then be shown in the body by Markdown."""
    _require_editor(user)
    attachments_validate([upload], field="file")
    name = upload.name.rsplit("/", 1)[-1][:255]
    content_type = attachment_content_type(name)
    return ArticleFile.objects.create(
        article=article,
        file=upload,
        filename=name,
        content_type=content_type,
        size=upload.size,
        uploaded_by=user,
    )


def article_view_record(*, article: Article, session: dict) -> bool:
    """Count a view once per visitor session; returns whether it counted."""
    seen = session.get("kb_seen", [])
    if article.pk in seen:
        return False
    session["kb_seen"] = [*seen[-199:], article.pk]
    Article.objects.filter(pk=article.pk).update(view_count=F("view_count") + 1)
    return True


@ticket_transaction()
def feedback_record(
    *, article: Article, helpful: bool, session_key: str, user=None, comment: str = ""
) -> Feedback:
    """ "Did this help?" — voting again from the same session replaces the earlier vote."""
    if not session_key:
        raise ApplicationError("Your browser did not keep a session; enable cookies.")
    feedback, _ = Feedback.objects.update_or_create(
        article=article,
        session_key=session_key,
        defaults={
            "helpful": bool(helpful),
            "comment": (comment or "").strip()[:2000],
            "user": user if user and user.is_authenticated else None,
            "created_at": timezone.now(),
        },
    )
    return feedback


def deflection_record(
    *, article: Article, kind: str, session_key: str, user=None, query: str = ""
) -> Deflection:
    """Record that an article kept someone from opening a ticket (once per session and
    article). An explicit "solved" upgrades an earlier "viewed" and revives a cancelled one."""
    if kind not in DeflectionKind.values:
        raise ApplicationError(f"Unknown deflection kind {kind!r}.", field="kind")
    if not session_key:
        raise ApplicationError("Your browser did not keep a session; enable cookies.")
    user = user if user and user.is_authenticated else None
    defaults = {"kind": kind, "user": user, "query": (query or "")[:300]}
    try:
        with transaction.atomic():
            deflection, created = Deflection.objects.get_or_create(
                article=article, session_key=session_key, defaults=defaults
            )
    except IntegrityError:  # a concurrent request from the same session got there first
        deflection, created = (
            Deflection.objects.get(article=article, session_key=session_key),
            False,
        )
    if (
        not created
        and kind == DeflectionKind.SOLVED
        and (deflection.kind != kind or deflection.cancelled_at)
    ):
        Deflection.objects.filter(pk=deflection.pk).update(
            kind=kind, cancelled_at=None, cancelled_by=None
        )
        deflection.refresh_from_db()
    return deflection


def deflections_cancel_for_ticket(*, ticket: Ticket) -> int:
    """The requester opened a ticket after all: the articles they only looked at did not help."""
    since = ticket.created_at - DEFLECTION_WINDOW
    return Deflection.objects.filter(
        user_id=ticket.requester_id,
        kind=DeflectionKind.VIEWED,
        cancelled_at=None,
        created_at__gte=since,
    ).update(cancelled_at=timezone.now(), cancelled_by=ticket)


def article_url(article: Article) -> str:
    return settings.SITE_URL + reverse("kb:article", args=[article.slug])


@ticket_transaction()
def article_link_send(*, ticket: Ticket, article: Article, agent: User) -> Comment:
    """Reply to the requester with a link to the article, and remember the article helped on
    this ticket (resolving it then counts as resolved by documentation)."""
    if not can_work(agent, ticket):
        raise ApplicationError("You cannot reply to this ticket.", code="forbidden")
    if not readable_by_requester(article, ticket.requester):
        raise ApplicationError(
            "The requester cannot read this article (it is not published for them).",
            field="article",
        )
    body = f"This article should help:\n\n{article.title}\n{article_url(article)}"
    comment = comment_add(ticket=ticket, author=agent, body=body)
    TicketArticle.objects.get_or_create(
        ticket=ticket, article=article, kind=LinkKind.SENT, defaults={"linked_by": agent}
    )
    event_record(
        ticket=ticket,
        payload=ArticleLinked(article_id=article.pk, title=article.title),
        actor=agent,
    )
    return comment


def _ticket_resolution_text(ticket: Ticket) -> str:
    """The last public reply by someone other than the requester: usually the fix."""
    reply = (
        ticket.comments.filter(is_internal=False)
        .exclude(author_id=ticket.requester_id)
        .order_by("-created_at", "-id")
        .first()
    )
    return reply.body if reply else ""


@ticket_transaction()
def article_create_from_ticket(*, ticket: Ticket, author: User) -> Article:
    """A draft prefilled with the ticket's problem and resolution, linked to the ticket, so a
    good answer one agent wrote becomes findable by everyone once a lead publishes it."""
    if not can_work(author, ticket):
        raise ApplicationError("You cannot work on this ticket.", code="forbidden")
    resolution = _ticket_resolution_text(ticket) or "_Describe the fix here._"
    body = f"## Problem\n\n{ticket.description}\n\n## Resolution\n\n{resolution}\n"
    article = article_create(
        author=author,
        title=ticket.subject,
        summary=ticket.description.strip().splitlines()[0][:300] if ticket.description else "",
        body=body,
        audience=Audience.REQUESTERS,
        categories=[ticket.category_id] if ticket.category_id else [],
        source_ticket=ticket,
    )
    TicketArticle.objects.create(
        ticket=ticket, article=article, kind=LinkKind.SOURCE, linked_by=author
    )
    event_record(
        ticket=ticket,
        payload=ArticleDrafted(article_id=article.pk, title=article.title),
        actor=author,
    )
    return article


def ticket_resolution_changed(*, ticket: Ticket) -> int:
    """Keep "resolved by documentation" true exactly while a ticket with a sent article stands
    resolved or closed; returns how many links changed."""
    links = TicketArticle.objects.filter(ticket=ticket, kind=LinkKind.SENT)
    if ticket.status in (Status.RESOLVED, Status.CLOSED):
        return links.filter(resolved_at=None).update(
            resolved_at=ticket.resolved_at or timezone.now()
        )
    return links.exclude(resolved_at=None).update(resolved_at=None)


def search_log(*, query: str, results: int, source: str, session_key: str = "") -> SearchLog | None:
    """Log a search; while someone types, refine their last row rather than add one per key."""
    query = " ".join((query or "").split())[:300]
    if not query:
        return None
    recent = timezone.now() - timedelta(minutes=2)
    last = (
        SearchLog.objects.filter(session_key=session_key, source=source, created_at__gte=recent)
        .order_by("-created_at")
        .first()
        if session_key
        else None
    )
    if last and (query.startswith(last.query) or last.query.startswith(query)):
        SearchLog.objects.filter(pk=last.pk).update(
            query=query, results=results, created_at=timezone.now()
        )
        return last
    return SearchLog.objects.create(
        query=query, results=results, source=source, session_key=session_key
    )
