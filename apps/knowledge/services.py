"""Writes of the knowledge base: articles and their revisions, files, feedback, deflections,
links between articles and tickets, and the search log."""

import hashlib
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from apps.accounts.models import Team, User
from apps.core.errors import ApplicationError
from apps.core.numbers import as_id, is_id
from apps.core.text import long_text, single_line, squash_line
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
    RevisionStatus,
    SearchLog,
    Section,
    TicketArticle,
)
from .permissions import (
    can_approve,
    can_edit,
    can_publish,
    can_publish_article,
    can_see,
    readable_by_requester,
    visible_articles_q,
    widens_audience,
)
from .rendering import html_to_text, render_markdown

# A "viewed from a suggestion" deflection no longer counts if the same person opens a ticket
# within this long: the article did not solve it.
DEFLECTION_WINDOW = timedelta(hours=2)
CONTENT_FIELDS = ("title", "summary", "body")
# Who may read the article: recorded with each revision, so history shows who widened it.
AUDIENCE_FIELDS = ("audience", "team")
# Changed by a proposal too, kept in Revision.proposed until a lead approves.
PROPOSED_FIELDS = ("section", "tags", "categories", "related")
EDITABLE_FIELDS = (*CONTENT_FIELDS, "section", "audience", "team", "tags", "categories", "related")
# Which status changes an agent may make; anything else needs a lead.
AGENT_TRANSITIONS = {
    (ArticleStatus.DRAFT, ArticleStatus.REVIEW),
    (ArticleStatus.REVIEW, ArticleStatus.DRAFT),
}


def _require_editor(user: User) -> None:
    if not can_edit(user):
        raise ApplicationError("Only agents can write articles.", code="forbidden")


def _lock_visible(article: Article, actor: User) -> Article:
    """The article, locked, if ``actor`` may see it; else refused as if it did not exist
    (another team's one-team article)."""
    locked = (
        Article.objects.select_for_update(of=("self",))
        .filter(visible_articles_q(actor), pk=article.pk)
        .first()
    )
    if locked is None:
        raise ApplicationError("No such article.", code="not_found")
    return locked


def _check_team_choice(actor: User, team: Team | None, *, current_team_id: int | None) -> None:
    """A one-team article is written for one of the writer's own teams (admins: any): nobody
    plants articles in, or hands theirs to, a team they cannot read."""
    if team is None or team.pk == current_team_id or actor.is_superuser:
        return
    if team.pk not in actor.team_ids:
        raise ApplicationError("Choose one of your own teams.", field="team")


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
        cleaned["title"] = single_line(
            data["title"], "title", 200, message="Give the article a title."
        )
    if "summary" in data:
        cleaned["summary"] = single_line(data["summary"], "summary", 300, required=False)
    if "body" in data:
        cleaned["body"] = long_text(
            data["body"], "body", settings.ARTICLE_MAX_CHARS, required=False, strip=False
        )
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
        article_related_set(article=article, related=cleaned["related"])


def article_related_set(*, article: Article, related: Iterable) -> None:
    """The articles shown as "see also" (both ways). Never the article itself: refused, as
    the database would."""
    ids = {int(getattr(r, "pk", r)) for r in related or []}
    if article.pk in ids:
        raise ApplicationError(
            "An article cannot be related to itself: pick other articles.", field="related"
        )
    article.related.set(Article.objects.filter(pk__in=ids))


def _render(article: Article) -> None:
    article.body_html = render_markdown(article.body)
    article.body_text = html_to_text(article.body_html)


def _next_revision_number(article: Article) -> int:
    last = article.revisions.order_by("-number").values_list("number", flat=True).first() or 0
    return last + 1


def _revision_add(
    article: Article, author: User | None, note: str = "", *, reviewed_by: User | None = None
) -> Revision:
    return Revision.objects.create(
        article=article,
        number=_next_revision_number(article),
        title=article.title,
        summary=article.summary,
        body=article.body,
        audience=article.audience,
        team=article.team,
        author=author,
        note=note[:200],
        reviewed_by=reviewed_by,
        reviewed_at=timezone.now() if reviewed_by else None,
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
    if status not in ArticleStatus.values:
        raise ApplicationError(f"Unknown status {status!r}.", field="status")
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
    _check_team_choice(author, article.team, current_team_id=None)
    if status != ArticleStatus.DRAFT and not can_publish_article(author, article):
        raise ApplicationError("Only a lead of this team can publish its article.", field="status")
    cleaned["related"] = _related_for(author, article, cleaned["related"])
    _render(article)
    article.save()
    _apply_relations(article, cleaned)
    _revision_add(article, author, note="Created")
    return article


@ticket_transaction()
def article_update(*, article: Article, actor: User, data: dict, note: str = "") -> Article:
    """Change any of EDITABLE_FIELDS; a change to the text or the audience adds a revision.

    A published article changes at once only for those who may publish it (a lead of its team,
    any lead when it has none, superusers). Anyone else's change becomes a pending revision
    that a lead approves or rejects: the article keeps serving its published text, and the
    returned article carries the proposal as ``pending_revision`` (None when applied). Only
    those who may publish an article let more people read it."""
    _require_editor(actor)
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        field = sorted(unknown)[0]
        raise ApplicationError(f"“{field}” cannot be changed here.", field=field)
    cleaned = _clean(data)
    locked = _lock_visible(article, actor)
    locked.pending_revision = None
    audience = cleaned.get("audience", locked.audience)
    team = cleaned.get("team", locked.team) if audience == Audience.TEAM else None
    if audience == Audience.TEAM and team is None:
        raise ApplicationError("Choose the team that may read this article.", field="team")
    may_publish = can_publish_article(actor, locked)
    team_id = team.pk if team else None
    if not may_publish and widens_audience(locked, audience=audience, team_id=team_id):
        raise ApplicationError(
            "Only a lead can let more people read this article: ask one to change its audience.",
            field="team" if audience == locked.audience else "audience",
        )
    _check_team_choice(actor, team, current_team_id=locked.team_id)
    if "related" in cleaned:
        cleaned["related"] = _related_for(actor, locked, cleaned["related"])
    if locked.status == ArticleStatus.PUBLISHED and not may_publish:
        locked.pending_revision = _propose(
            locked, actor, cleaned, audience=audience, team=team, note=note
        )
        return locked
    cleaned.update(audience=audience, team=team)
    if _apply_update(locked, cleaned):
        _revision_add(locked, actor, note=note)
    return locked


def _apply_update(locked: Article, cleaned: dict) -> bool:
    """Write ``cleaned`` to the locked article; whether its text or audience changed."""
    revised = any(
        f in cleaned and cleaned[f] != getattr(locked, f)
        for f in (*CONTENT_FIELDS, *AUDIENCE_FIELDS)
    )
    for name in ("title", "summary", "body", "audience", "section", "team"):
        if name in cleaned:
            setattr(locked, name, cleaned[name])
    _check_audience(locked)
    _render(locked)
    locked.updated_at = timezone.now()
    locked.save()
    _apply_relations(locked, cleaned)
    return revised


def _related_for(actor: User, article: Article, related: Iterable) -> list[int]:
    """The related articles asked for, which must be ones ``actor`` may see, plus those the
    article already has that ``actor`` may not (kept: someone else's choice, not theirs)."""
    ids = {int(getattr(r, "pk", r)) for r in related or []}
    if article.pk in ids:
        raise ApplicationError(
            "An article cannot be related to itself: pick other articles.", field="related"
        )
    visible = set(
        Article.objects.filter(visible_articles_q(actor), pk__in=ids).values_list("pk", flat=True)
    )
    unknown = ids - visible
    if unknown:
        raise ApplicationError(f"Unknown related article: {min(unknown)}.", field="related")
    hidden = (
        set(article.related.exclude(visible_articles_q(actor)).values_list("pk", flat=True))
        if article.pk
        else set()
    )
    return sorted(ids | hidden)


def _proposed_changes(locked: Article, cleaned: dict) -> dict:
    """Of PROPOSED_FIELDS, those ``cleaned`` changes, as JSON (ids and tag names)."""
    changes: dict = {}
    if "section" in cleaned and cleaned["section"] != locked.section:
        changes["section"] = cleaned["section"].pk if cleaned["section"] else None
    if "tags" in cleaned and cleaned["tags"] != sorted(locked.tags.values_list("name", flat=True)):
        changes["tags"] = cleaned["tags"]
    for name, manager in (("categories", locked.categories), ("related", locked.related)):
        if name in cleaned:
            wanted = sorted({int(getattr(v, "pk", v)) for v in cleaned[name] or []})
            if wanted != sorted(manager.values_list("pk", flat=True)):
                changes[name] = wanted
    return changes


def _propose(
    locked: Article, actor: User, cleaned: dict, *, audience: str, team: Team | None, note: str
) -> Revision | None:
    """The change as a pending revision (the author's earlier pending one on this article is
    replaced: one proposal per author); None when it changes nothing."""
    values = {
        "title": cleaned.get("title", locked.title),
        "summary": cleaned.get("summary", locked.summary),
        "body": cleaned.get("body", locked.body),
        "audience": audience,
        "team": team,
    }
    proposed = _proposed_changes(locked, cleaned)
    if not proposed and all(values[f] == getattr(locked, f) for f in values):
        return None
    base = (
        locked.revisions.filter(status=RevisionStatus.APPLIED)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    fields = {
        **values,
        "proposed": proposed,
        "base_number": base,
        "note": note[:200],
        "created_at": timezone.now(),
    }
    revision = (
        Revision.objects.select_for_update()
        .filter(article=locked, author=actor, status=RevisionStatus.PENDING)
        .order_by("-number")
        .first()
    )
    if revision is None:
        return Revision.objects.create(
            article=locked,
            number=_next_revision_number(locked),
            status=RevisionStatus.PENDING,
            author=actor,
            **fields,
        )
    for name, value in fields.items():
        setattr(revision, name, value)
    revision.save()
    return revision


def _locked_pending(revision: Revision, actor: User) -> tuple[Article, Revision]:
    _require_editor(actor)
    article = _lock_visible(revision.article, actor)  # the article first, as every writer does
    locked = Revision.objects.select_for_update().get(pk=revision.pk)
    if locked.status != RevisionStatus.PENDING:
        raise ApplicationError(
            f"This change was already {locked.get_status_display().lower()}.", code="conflict"
        )
    if not can_approve(actor, article, team_id=locked.team_id):
        raise ApplicationError(
            "Only a lead of this article's team can approve or reject changes to it.",
            code="forbidden",
        )
    return article, locked


@ticket_transaction()
def revision_approve(*, revision: Revision, actor: User) -> Article:
    """Apply a pending change: the article takes its text, audience and other fields, a new
    revision (by the change's author, approved by ``actor``) records it."""
    article, locked = _locked_pending(revision, actor)
    data = {
        "title": locked.title,
        "summary": locked.summary,
        "body": locked.body,
        "audience": locked.audience,
        "team": locked.team,
        **locked.proposed,
    }
    if locked.audience == Audience.TEAM and locked.team_id is None:
        raise ApplicationError("The team this change was for no longer exists.", field="team")
    cleaned = _clean(data)
    _apply_update(article, cleaned)
    note = f"Approved change r{locked.number}" + (f": {locked.note}" if locked.note else "")
    _revision_add(article, locked.author, note=note, reviewed_by=actor)
    Revision.objects.filter(pk=locked.pk).update(
        status=RevisionStatus.APPROVED, reviewed_by=actor, reviewed_at=timezone.now()
    )
    return article


@ticket_transaction()
def revision_reject(*, revision: Revision, actor: User, reason: str) -> Revision:
    """Turn a pending change down, saying why (its author reads the reason)."""
    reason = single_line(reason, "reason", 300, message="Say why, so the author can act on it.")
    _article, locked = _locked_pending(revision, actor)
    locked.status = RevisionStatus.REJECTED
    locked.reviewed_by = actor
    locked.reviewed_at = timezone.now()
    locked.review_note = reason
    locked.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
    return locked


@ticket_transaction()
def article_save_from_admin(
    *, article: Article, actor: User, note: str = "Edited in admin"
) -> Article:
    """Django admin edits the row directly: render it, and keep the revision history whole.

    The admin shows the fields as read-only to whoever may not publish the article; this is
    the same rule for anything that gets past it."""
    before = None
    if article.pk:
        before = Article.objects.filter(visible_articles_q(actor), pk=article.pk).first()
        if before is None:
            raise ApplicationError("No such article.", code="not_found")
        changed = any(
            getattr(before, f) != getattr(article, f) for f in (*CONTENT_FIELDS, *AUDIENCE_FIELDS)
        )
    else:
        article.slug = article.slug or _unique_slug(article.title)
        changed = True
    _check_audience(article)
    _check_admin_edit(actor, before, article)
    _render(article)
    article.updated_at = timezone.now()
    if article.status == ArticleStatus.PUBLISHED and not article.published_at:
        article.published_at = article.updated_at
    article.save()
    if changed:
        _revision_add(article, actor, note=note)
    return article


def _check_admin_edit(actor: User, before: Article | None, after: Article) -> None:
    public = (ArticleStatus.PUBLISHED, ArticleStatus.ARCHIVED)
    may_publish = can_publish_article(actor, after) and (
        before is None or can_publish_article(actor, before)
    )
    if may_publish:
        return
    if after.status in public or (before is not None and before.status in public):
        raise ApplicationError(
            "Only a lead of this article's team can change a published article.",
            code="forbidden",
        )
    if before is not None and widens_audience(
        before, audience=after.audience, team_id=after.team_id
    ):
        raise ApplicationError(
            "Only a lead can let more people read this article.", code="forbidden"
        )
    _check_team_choice(actor, after.team, current_team_id=before.team_id if before else None)


@ticket_transaction()
def article_set_status(*, article: Article, actor: User, status: str) -> Article:
    """Move through draft → in review → published → archived. Agents may submit a draft for
    review (or take it back); publishing and archiving is for leads."""
    _require_editor(actor)
    if status not in ArticleStatus.values:
        raise ApplicationError(f"Unknown status {status!r}.", field="status")
    locked = _lock_visible(article, actor)
    if locked.status == status:
        return locked
    if (locked.status, status) not in AGENT_TRANSITIONS and not can_publish_article(actor, locked):
        raise ApplicationError(
            "Only a lead of this article's team can publish or archive it.", field="status"
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
    if not can_see(user, article):
        raise ApplicationError("No such article.", code="not_found")
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


def article_view_record(*, article: Article, visitor: str) -> bool:
    """Count a view once per visitor (apps.knowledge.visitors) while their session or visitor
    cookie lives; returns whether it counted. Remembered in the cache, not the session, so
    reading writes no session row; if the cache is down, views go uncounted meanwhile."""
    seen_key = "kb:seen:" + hashlib.sha256(f"{visitor}:{article.pk}".encode()).hexdigest()
    if not cache.add(seen_key, 1, timeout=settings.SESSION_COOKIE_AGE):
        return False
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
    defaults = {"kind": kind, "user": user, "query": squash_line(query, 300)}
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
    if not can_see(agent, article):
        raise ApplicationError("No such article.", code="not_found")
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
        title=squash_line(ticket.subject, 200),
        summary=squash_line(ticket.description.strip().splitlines()[0], 300)
        if ticket.description.strip()
        else "",
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
    query = squash_line(query, 300)
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
