"""Articles, their history and files, and the facts the knowledge base counts: feedback,
deflections, links to tickets and searches that found nothing."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from apps.accounts.models import Team
from apps.tickets.models import Category, StoredFile, Tag, Ticket


class Section(models.Model):
    """A chapter of the help centre ("Accounts & sign-in", "Printers")."""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.CharField(max_length=255, blank=True)
    order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class Audience(models.TextChoices):
    PUBLIC = "public", "Everyone (also signed out)"
    REQUESTERS = "requesters", "Signed-in people"
    AGENTS = "agents", "Agents only"
    TEAM = "team", "One team"


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    REVIEW = "review", "In review"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


class Article(models.Model):
    """A help article. ``body`` is Markdown; ``body_html`` is its sanitised rendering and
    ``body_text`` the plain text that search indexes (both written by the services)."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    summary = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    body_html = models.TextField(blank=True, editable=False)
    body_text = models.TextField(blank=True, editable=False)
    section = models.ForeignKey(
        Section, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles")
    categories = models.ManyToManyField(
        Category,
        blank=True,
        related_name="articles",
        help_text="Problems this article answers: offered when a requester picks one.",
    )
    related = models.ManyToManyField(
        "self", blank=True, through="RelatedArticle", through_fields=("from_article", "to_article")
    )
    audience = models.CharField(max_length=12, choices=Audience.choices, default=Audience.PUBLIC)
    team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
        help_text="For audience “one team”.",
    )
    status = models.CharField(
        max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    source_ticket = models.ForeignKey(
        Ticket,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The ticket this article was written from.",
    )
    view_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["title"]
        indexes = [models.Index(fields=["status", "audience"], name="kb_article_visible_idx")]

    def __str__(self):
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED


class RelatedArticle(models.Model):
    """Two articles shown as "see also" of each other (the table Django made for the relation);
    an article is never related to itself."""

    from_article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    to_article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")

    class Meta:
        db_table = "knowledge_article_related"
        unique_together = [("from_article", "to_article")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(from_article=models.F("to_article")),
                name="article_not_related_to_itself",
            )
        ]

    def __str__(self):
        return f"{self.from_article_id} → {self.to_article_id}"


class RevisionStatus(models.TextChoices):
    APPLIED = "applied", "Saved"
    PENDING = "pending", "Awaiting approval"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class Revision(models.Model):
    """The article as one save left it: who wrote it, what it said and who could read it.

    A non-lead's change to a published article is a *pending* revision: the article keeps
    serving its published text until a lead approves (the change is then applied as a new
    revision, and this one is marked approved) or rejects it with a reason. ``proposed`` holds
    the other fields such a change would set (section, tags, categories, related)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    status = models.CharField(
        max_length=10, choices=RevisionStatus.choices, default=RevisionStatus.APPLIED
    )
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    audience = models.CharField(max_length=12, choices=Audience.choices, default=Audience.PUBLIC)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed = models.JSONField(default=dict, blank=True)
    # The applied revision a proposal was written against: the lead is told if it moved on.
    base_number = models.PositiveIntegerField(null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="kb_one_revision_number")
        ]
        indexes = [
            models.Index(
                fields=["status", "created_at"],
                condition=models.Q(status="pending"),
                name="kb_revision_pending_idx",
            )
        ]

    def __str__(self):
        return f"{self.article} r{self.number}"

    @property
    def is_pending(self) -> bool:
        return self.status == RevisionStatus.PENDING


def article_file_path(instance, filename):
    return f"knowledge/{timezone.now():%Y/%m}/{instance.article_id}/{filename}"


class ArticleFile(StoredFile):
    """An image or attachment of an article, served only to people who may read the article."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=article_file_path)
    # An article outlives the people who wrote it.
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class Feedback(models.Model):
    """ "Did this help?" — one vote per visitor (session) and article; voting again replaces it."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    helpful = models.BooleanField()
    comment = models.TextField(blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    session_key = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "session_key"], name="kb_one_vote_per_session"
            )
        ]

    def __str__(self):
        return f"{'Helpful' if self.helpful else 'Not helpful'}: {self.article_id}"


class DeflectionKind(models.TextChoices):
    SOLVED = "solved", "“This solved my problem”"
    VIEWED = "viewed", "Opened from a suggestion"


class Deflection(models.Model):
    """A ticket an article (probably) prevented. At most one per visitor and article.

    "viewed" ones are provisional: if the same person opens a ticket soon after, it is
    cancelled (``cancelled_by`` names the ticket) and no longer counts."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="deflections")
    kind = models.CharField(max_length=10, choices=DeflectionKind.choices)
    query = models.CharField(max_length=300, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    session_key = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "session_key"], name="kb_one_deflection_per_session"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — article {self.article_id}"


class LinkKind(models.TextChoices):
    SENT = "sent", "Link sent to the requester"
    SOURCE = "source", "Article written from this ticket"


class TicketArticle(models.Model):
    """An article tied to a ticket. ``resolved_at`` is set while the ticket stands resolved
    with a sent article: the ticket was resolved by documentation."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="article_links")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="ticket_links")
    kind = models.CharField(max_length=10, choices=LinkKind.choices)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "article", "kind"], name="kb_one_link_per_kind"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: article {self.article_id} on ticket {self.ticket_id}"


class SearchLog(models.Model):
    """A search someone made. Typing refines one row (per session) instead of adding one per
    keystroke, so "searches that found nothing" lists what people really looked for."""

    query = models.CharField(max_length=300)
    results = models.PositiveIntegerField()
    source = models.CharField(max_length=20)  # "portal", "suggest", "agent", "api"
    session_key = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["session_key", "-created_at"], name="kb_searchlog_idx")]

    def __str__(self):
        return f"“{self.query}” ({self.results} results)"


class SynonymGroup(models.Model):
    """Terms that mean the same to the people searching ("wifi, wi-fi, wlan"): a search for
    any of them looks for all of them. Edited in the admin; a few come with every desk."""

    terms = models.TextField(
        help_text="Two or more terms, separated by commas or new lines. Hyphens and spaces "
        "inside a term do not matter to a search: “wi-fi” also finds “wi fi” and “wifi”."
    )
    note = models.CharField(max_length=200, blank=True, help_text="Why these belong together.")

    class Meta:
        ordering = ["terms"]
        verbose_name = "synonym group"

    def __str__(self):
        return self.terms
