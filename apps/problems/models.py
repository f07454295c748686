"""Problems: the cause behind many tickets, worked until it is fixed (incidents stay tickets).

A problem is investigated (five whys), becomes a known error once a workaround exists, gets a
planned fix date that requesters can see, and is fixed. Tickets link to at most one problem.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from apps.accounts.models import Team


class ProblemStatus(models.TextChoices):
    INVESTIGATING = "investigating", "Investigating"
    KNOWN_ERROR = "known_error", "Known error, workaround available"
    FIX_PLANNED = "fix_planned", "Fix planned"
    FIXED = "fixed", "Fixed"


REFERENCE_PREFIX = "PRB-"


class Problem(models.Model):
    title = models.CharField(max_length=200)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="problems")
    status = models.CharField(
        max_length=15, choices=ProblemStatus.choices, default=ProblemStatus.INVESTIGATING
    )
    root_cause = models.TextField(blank=True)
    workaround = models.TextField(
        blank=True, help_text="What agents (and requesters) can do until the fix."
    )
    fix_planned_for = models.DateField(null=True, blank=True)
    # The "known issues" page: only what the desk chose to say, never the internal analysis.
    is_public = models.BooleanField(
        default=False, help_text="Listed on the known-issues page that requesters see."
    )
    public_summary = models.TextField(
        blank=True, help_text="What requesters read on the known-issues page and their ticket."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    fixed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["status", "-updated_at"], name="problem_status_idx")]

    def __str__(self):
        return f"{self.reference} {self.title}"

    @property
    def reference(self) -> str:
        return f"{REFERENCE_PREFIX}{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status != ProblemStatus.FIXED


class Why(models.Model):
    """One step of the five-whys analysis: "why?" asked of the step before, answered."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="whys")
    position = models.PositiveSmallIntegerField()
    answer = models.CharField(max_length=500)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["problem", "position"], name="problem_why_once")
        ]

    def __str__(self):
        return f"Why {self.position}: {self.answer}"


class ProblemLink(models.Model):
    """A ticket that is an incident of the problem (at most one problem per ticket)."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="links")
    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="problem_link"
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-linked_at", "-id"]

    def __str__(self):
        return f"{self.ticket_id} → {self.problem}"
