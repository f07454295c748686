"""Tickets, their conversation, attachments, and the append-only history of what happened."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from apps.accounts.models import Team, Tier
from apps.core.numbers import as_id


class Lookup(models.Model):
    """An admin-editable list entry (category, location, product). Retired entries stay on old
    tickets but are no longer offered."""

    name = models.CharField(max_length=120, unique=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name


class Category(Lookup):
    """The problem, in the requester's words ("Cannot sign in", "Card payment declined")."""

    description = models.CharField(max_length=255, blank=True)

    class Meta(Lookup.Meta):
        verbose_name_plural = "categories"


class Location(Lookup):
    """Where the requester is: a site, store or office."""


class Product(Lookup):
    """The product or tool impacted."""


class Tag(models.Model):
    name = models.SlugField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Channel(models.TextChoices):
    WEB = "web", "Web"
    API = "api", "API"
    EMAIL = "email", "E-mail"
    # Taken by an agent for someone who called, chatted or came to the desk (apps.tickets.assisted).
    PHONE = "phone", "Phone"
    CHAT = "chat", "Chat"
    WALK_IN = "walk_in", "In person"


ASSISTED_CHANNELS = (Channel.PHONE, Channel.CHAT, Channel.WALK_IN)


class Status(models.TextChoices):
    NEW = "new", "New"
    OPEN = "open", "Open"
    PENDING = "pending", "Pending on requester"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


ACTIVE_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING)


class Resolution(models.TextChoices):
    """How a ticket was resolved: leads count "closed by sharing information" from it."""

    INFORMATION = "information", "Answered with information"
    DOCUMENTATION = "documentation", "Pointed to documentation"
    WORKAROUND = "workaround", "Workaround given"
    CHANGE = "change", "Code or data change"
    DUPLICATE = "duplicate", "Duplicate of another ticket"
    PROBLEM = "problem", "Fixed with its known problem"
    NO_ACTION = "no_action", "No action needed"


class Priority(models.IntegerChoices):
    LOW = 1, "Low"
    NORMAL = 2, "Normal"
    HIGH = 3, "High"
    URGENT = 4, "Urgent"


class Urgency(models.IntegerChoices):
    """Asked on intake as "Are you blocked?": the requester's words, not a priority."""

    LOW = 1, "No, it can wait"
    MEDIUM = 2, "Partly: I can work around it"
    HIGH = 3, "Yes, I cannot work"


class Impact(models.IntegerChoices):
    """Asked on intake as "Who is affected?"."""

    ONE = 1, "Just me"
    GROUP = 2, "My team or my store"
    MANY = 3, "Several sites, or our customers"


class PriorityMatrixCell(models.Model):
    """The priority an impact and an urgency give a new ticket (edited in admin as a grid)."""

    impact = models.PositiveSmallIntegerField(choices=Impact.choices)
    urgency = models.PositiveSmallIntegerField(choices=Urgency.choices)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices)

    class Meta:
        ordering = ["-impact", "-urgency"]
        constraints = [
            models.UniqueConstraint(fields=["impact", "urgency"], name="priority_matrix_cell_once")
        ]
        verbose_name = "priority matrix cell"

    def __str__(self):
        impact, urgency = self.get_impact_display(), self.get_urgency_display()
        return f"{impact} / {urgency}: {self.get_priority_display()}"


class TicketQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=ACTIVE_STATUSES)

    def by_reference(self, reference: str):
        """Match a tracking number like "SB-10432" (or just "10432")."""
        pk = reference_to_pk(reference)
        return self.filter(pk=pk) if pk else self.none()


def reference_to_pk(reference: str) -> int | None:
    text = reference.strip().upper()
    prefix = settings.TICKET_REFERENCE_PREFIX.upper() + "-"
    if text.startswith(prefix):
        text = text[len(prefix) :]
    number = as_id(text)
    if number is None:
        return None
    return as_id(number - settings.TICKET_REFERENCE_OFFSET)


class Ticket(models.Model):
    subject = models.CharField(max_length=200)
    description = models.TextField()
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="requested_tickets"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WEB)
    # The address an e-mailed ticket was sent to (a mailbox), for routing rules; "" otherwise.
    intake_address = models.CharField(max_length=254, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    # The requester's answers on intake; the matrix turned them into the first priority.
    impact = models.PositiveSmallIntegerField(choices=Impact.choices, null=True, blank=True)
    urgency = models.PositiveSmallIntegerField(choices=Urgency.choices, null=True, blank=True)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.PROTECT)
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.PROTECT)
    product = models.ForeignKey(Product, null=True, blank=True, on_delete=models.PROTECT)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    tier = models.PositiveSmallIntegerField(choices=Tier.choices, default=Tier.ONE)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
    )
    # Touch and hold (apps.tickets.tiers): the agent attached across tiers, and the team whose
    # setting made them holder (its lead takes over if they leave that team).
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="held_tickets",
    )
    holder_team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="held_tickets"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="tickets")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now)
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=15, choices=Resolution.choices, blank=True)
    # A duplicate merged into another ticket: its thread moved there, its page leads there.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )
    # The SLA state the queue shows and sorts by, written only by the SLA app whenever a clock
    # starts, stops, pauses or breaches (apps.sla.services.ticket_sla_state_store): a list page
    # reads and sorts these by index instead of looking up every ticket's clocks.
    # sla_due_at: the earliest due time of the clocks not yet met (a breached one's is past).
    sla_due_at = models.DateTimeField(null=True, blank=True, editable=False)
    sla_warn_at = models.DateTimeField(null=True, blank=True, editable=False)
    sla_breached = models.BooleanField(default=False, editable=False)
    sla_paused = models.BooleanField(default=False, editable=False)
    # On PostgreSQL the table also has ``search_vector``, a generated tsvector of the subject
    # and description with a GIN index (migration 0009; apps.tickets.search reads it).

    objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        indexes = [
            # The agent queue: one team's active tickets, newest activity first.
            models.Index(fields=["team", "status", "-updated_at"], name="ticket_queue_idx"),
            # The queue across every status, in the order it is shown.
            models.Index(fields=["team", "-updated_at", "-id"], name="ticket_team_recent_idx"),
            # A team's tickets resolved in a period (?resolved_after/_before). The index above
            # serves updated_at ranges, and created_at has its own index (rows are written in
            # created order, so a period of them lies together).
            models.Index(fields=["team", "resolved_at"], name="ticket_team_resolved_idx"),
            # Every team's tickets finished in a week (the mentor review): by resolution, or by
            # closing for those closed without one.
            models.Index(fields=["resolved_at"], name="ticket_resolved_idx"),
            models.Index(
                fields=["closed_at"],
                condition=models.Q(resolved_at__isnull=True),
                name="ticket_closed_unresolved_idx",
            ),
            models.Index(fields=["assignee", "status"], name="ticket_assignee_idx"),
            # What is assigned to or held by someone, latest first (the API's visible parts).
            models.Index(
                fields=["assignee", "-updated_at", "-id"], name="ticket_assignee_recent_idx"
            ),
            models.Index(fields=["holder", "-updated_at", "-id"], name="ticket_holder_recent_idx"),
            # "Assigned to me outside my teams": answered from the index alone.
            models.Index(fields=["assignee", "team"], name="ticket_assignee_team_idx"),
            # The queue's scope is one team's active tickets: one small index per order the
            # queue offers, each read from its start and left after a page.
            models.Index(
                fields=["team", "-updated_at", "-id"],
                condition=models.Q(status__in=ACTIVE_STATUSES),
                name="ticket_active_updated_idx",
            ),
            models.Index(  # oldest first (triage too), and backwards newest first
                fields=["team", "created_at", "id"],
                condition=models.Q(status__in=ACTIVE_STATUSES),
                name="ticket_active_created_idx",
            ),
            models.Index(  # by priority (backwards), and one priority by last update
                fields=["team", "priority", "updated_at", "id"],
                condition=models.Q(status__in=ACTIVE_STATUSES),
                name="ticket_active_priority_idx",
            ),
            models.Index(  # the SLA sort: next due first, none last
                fields=["team", "sla_due_at", "id"],
                condition=models.Q(status__in=ACTIVE_STATUSES),
                name="ticket_active_sla_idx",
            ),
            models.Index(fields=["requester", "-updated_at"], name="ticket_requester_idx"),
        ]

    def __str__(self):
        return f"{self.reference} {self.subject}"

    @property
    def reference(self) -> str:
        """The tracking number people quote: never changes, derived from the id."""
        return f"{settings.TICKET_REFERENCE_PREFIX}-{self.pk + settings.TICKET_REFERENCE_OFFSET}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class Comment(models.Model):
    """A public reply (the requester sees it) or an internal note (agents only)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    body = models.TextField()
    is_internal = models.BooleanField(default=False)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WEB)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="comment_thread_idx")]

    def __str__(self):
        kind = "Internal note" if self.is_internal else "Reply"
        return f"{kind} on {self.ticket.reference} by {self.author}"


class Follower(models.Model):
    """Someone besides the requester who gets the ticket's public replies and whose e-mailed
    answers land on it: people CC'd on the requester's e-mail, or added by an agent."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followed_tickets"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ticket", "user"], name="follower_once_per_ticket")
        ]

    def __str__(self):
        return f"{self.user} follows {self.ticket.reference}"


def attachment_path(instance, filename):
    return f"attachments/{timezone.now():%Y/%m}/{instance.ticket_id}/{filename}"


class StoredFile(models.Model):
    """What every uploaded file keeps: tickets', subtasks' and articles' files alike.
    Uploads are checked by ``services.attachments_validate`` before they get here."""

    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.filename


class Attachment(StoredFile):
    """A file on a ticket. An attachment on an internal note is internal too."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    comment = models.ForeignKey(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path)

    @property
    def is_internal(self) -> bool:
        return bool(self.comment_id and self.comment.is_internal)


class EventKind(models.TextChoices):
    CREATED = "created", "Created"
    CHANGED = "changed", "Changed"
    REPLIED = "replied", "Public reply"
    NOTE_ADDED = "note_added", "Internal note"
    ATTACHED = "attached", "Attachment added"
    RESOLVED = "resolved", "Resolved"
    REOPENED = "reopened", "Reopened"
    CLOSED = "closed", "Closed"
    ACTION = "action", "Action applied"


class TicketEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Ticket events are append-only.")

    def delete(self):
        raise TypeError("Ticket events are append-only.")


class TicketEvent(models.Model):
    """One thing that happened to a ticket, never edited or removed.

    ``changes`` maps a field to ``{"before": …, "after": …}`` in display form; ``data`` carries
    whatever else the kind needs (the comment id, the action's name, the rule that decided).
    Feature apps add their own kinds as plain strings ("routed", "escalated", "sla_breached").
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text="Empty when Switchboard itself acted (a rule, a timer).",
    )
    kind = models.CharField(max_length=40)
    changes = models.JSONField(default=dict, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = TicketEventQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="event_history_idx")]

    def __str__(self):
        return f"{self.kind} on ticket {self.ticket_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Ticket events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Ticket events are append-only.")


class ApiIdempotencyKey(models.Model):
    """The response an API create or reply gave for a client's ``Idempotency-Key``.

    Stored in the transaction that created the object, so a retry either finds it (and gets the
    same answer back) or the first attempt never happened. Kept for
    ``IDEMPOTENCY_KEY_TTL_HOURS``; a periodic task purges older rows.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of method, path and body.")
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="api_idempotency_key_once")
        ]

    def __str__(self):
        return f"{self.method} {self.path} [{self.key}]"


# Tiers (escalation paths, checklists, hand-backs, time per tier, in-app notifications) are
# tickets models kept in their own module; imported here so Django registers them.
from .custom_fields.models import CustomField, FieldValue  # noqa: E402, F401
from .saved_views.models import SavedView  # noqa: E402, F401
from .tiers.models import (  # noqa: E402, F401
    ChecklistItem,
    ChecklistValue,
    Escalation,
    EscalationStep,
    HandBack,
    Notification,
    TierTime,
)
from .timekeeping.models import TimeEntry  # noqa: E402, F401
