"""Subtasks of a ticket, their kinds and templates, their own thread, and lead overrides."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from apps.accounts.models import Team
from apps.tickets.models import Comment, StoredFile, Ticket


class SubtaskKind(models.Model):
    """What sort of work it is (data fix, workaround, new test…): an admin-editable list."""

    name = models.CharField(max_length=80, unique=True)
    is_active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class Status(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    WONT_DO = "wont_do", "Won't do"


OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS)
FINISHED_STATUSES = (Status.DONE, Status.WONT_DO)


class SubtaskTemplate(models.Model):
    """A named set of subtasks an agent (or a routing rule) adds to a ticket in one go."""

    name = models.CharField(max_length=120, unique=True)
    description = models.CharField(max_length=255, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class SubtaskTemplateItem(models.Model):
    template = models.ForeignKey(SubtaskTemplate, on_delete=models.CASCADE, related_name="items")
    title = models.CharField(max_length=200)
    kind = models.ForeignKey(SubtaskKind, on_delete=models.PROTECT)
    instructions = models.TextField(blank=True)
    blocking = models.BooleanField(default=True)
    due_in_days = models.PositiveSmallIntegerField(default=2)
    assignee_team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL)
    assignee_email = models.EmailField(
        blank=True, help_text="A person outside support; an account without password is made."
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self):
        return self.title


class Subtask(models.Model):
    """One piece of parallel work on a ticket, assigned to a person or a team.

    ``link_version`` is the fingerprint inside every e-mailed link: bumping it (revoke,
    reassignment) kills all earlier links. The ``*_at`` claim fields make each e-mail go once.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="subtasks")
    title = models.CharField(max_length=200)
    kind = models.ForeignKey(SubtaskKind, on_delete=models.PROTECT)
    instructions = models.TextField(blank=True)
    assignee_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="subtasks",
    )
    assignee_team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="subtasks"
    )
    due_date = models.DateField(null=True, blank=True)
    blocking = models.BooleanField(default=True, help_text="The ticket cannot be resolved before.")
    depends_on = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="dependents"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    result_note = models.TextField(blank=True)
    # What of the ticket the assignee may read: the description and chosen comments.
    share_description = models.BooleanField(default=True)
    shared_comments = models.ManyToManyField(Comment, blank=True, related_name="+")
    template_item = models.ForeignKey(
        SubtaskTemplateItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    link_version = models.PositiveIntegerField(default=1)
    link_mailed_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    manager_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["ticket", "status"], name="subtask_ticket_idx"),
            models.Index(fields=["status", "due_date"], name="subtask_due_idx"),
            models.Index(fields=["assignee_user", "status"], name="subtask_assignee_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(assignee_user__isnull=True)
                | models.Q(assignee_team__isnull=True),
                name="subtask_one_assignee",
            )
        ]

    def __str__(self):
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def assignee(self):
        return self.assignee_user or self.assignee_team

    @property
    def is_overdue(self) -> bool:
        return bool(self.is_open and self.due_date and self.due_date < timezone.localdate())


class SubtaskComment(models.Model):
    """The subtask's own thread between the assignee and support; never on the ticket."""

    subtask = models.ForeignKey(Subtask, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"Comment by {self.author} on {self.subtask}"


def subtask_attachment_path(instance, filename):
    return f"subtasks/{timezone.now():%Y/%m}/{instance.subtask_id}/{filename}"


class SubtaskAttachment(StoredFile):
    subtask = models.ForeignKey(Subtask, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=subtask_attachment_path)


class ResolveOverride(models.Model):
    """A team lead let the ticket resolve with blocking subtasks open, and said why.

    It covers the subtasks that existed when it was given; blocking work added later blocks again.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="resolve_overrides")
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Override on ticket {self.ticket_id} by {self.lead}"
