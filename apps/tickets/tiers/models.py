"""Tiered support: escalation paths, per-tier checklists, escalations and hand-backs, the time a
ticket spent in each tier, and in-app notifications.

Imported by ``apps.tickets.models`` so the models belong to the tickets app (label "tickets").
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from apps.accounts.models import Team, Tier

__all__ = [
    "ChecklistItem",
    "ChecklistValue",
    "Escalation",
    "EscalationStep",
    "HandBack",
    "Notification",
    "TierTime",
]

TIERS = tuple(Tier.values)
LAST_TIER = max(TIERS)


class EscalationStep(models.Model):
    """Where a team's ticket goes when escalated from a tier: the next tier of the same team by
    default, or another team (Service Desk tier 2 → Payments Engineering tier 3)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="escalation_steps")
    from_tier = models.PositiveSmallIntegerField(choices=Tier.choices)
    to_team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    to_tier = models.PositiveSmallIntegerField(choices=Tier.choices)

    class Meta:
        ordering = ["team__name", "from_tier"]
        constraints = [
            models.UniqueConstraint(fields=["team", "from_tier"], name="one_step_per_team_tier"),
            models.CheckConstraint(
                condition=models.Q(to_tier__gt=models.F("from_tier")), name="step_goes_up"
            ),
        ]

    def __str__(self):
        return f"{self.team} tier {self.from_tier} → {self.to_team} tier {self.to_tier}"


class ChecklistItem(models.Model):
    """Information a tier requires before it accepts an escalation ("steps to reproduce")."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="checklist_items")
    tier = models.PositiveSmallIntegerField(choices=Tier.choices)
    key = models.SlugField(max_length=50)
    label = models.CharField(max_length=120)
    help_text = models.CharField(max_length=255, blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["team__name", "tier", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "tier", "key"], name="one_checklist_key")
        ]

    def __str__(self):
        return f"{self.team} tier {self.tier}: {self.label}"


class ChecklistValue(models.Model):
    """What was filled in for one checklist item on one ticket."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="checklist_values"
    )
    item = models.ForeignKey(ChecklistItem, on_delete=models.CASCADE, related_name="values")
    value = models.TextField()
    filled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    filled_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ticket", "item"], name="one_value_per_item")
        ]

    def __str__(self):
        return f"{self.item.label} on ticket {self.ticket_id}"


class Escalation(models.Model):
    """One move up: from which team and tier to which, by whom and why."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="escalations"
    )
    from_team = models.ForeignKey(Team, null=True, on_delete=models.SET_NULL, related_name="+")
    from_tier = models.PositiveSmallIntegerField(choices=Tier.choices)
    to_team = models.ForeignKey(Team, null=True, on_delete=models.SET_NULL, related_name="+")
    to_tier = models.PositiveSmallIntegerField(choices=Tier.choices)
    from_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "-created_at"], name="escalation_ticket_idx")]

    def __str__(self):
        return f"Ticket {self.ticket_id}: tier {self.from_tier} → {self.to_tier}"


class HandBack(models.Model):
    """A case sent to an earlier tier (or to the requester) for lack of information: a KPI
    counted per ticket and per team (``to_team``: the team that should have collected it)."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="hand_backs"
    )
    from_team = models.ForeignKey(Team, null=True, on_delete=models.SET_NULL, related_name="+")
    from_tier = models.PositiveSmallIntegerField(choices=Tier.choices)
    to_team = models.ForeignKey(
        Team, null=True, on_delete=models.SET_NULL, related_name="hand_backs_received"
    )
    to_tier = models.PositiveSmallIntegerField(choices=Tier.choices)
    to_requester = models.BooleanField(default=False)
    missing = models.JSONField(
        default=list, blank=True, help_text="Labels of the checklist items that were missing."
    )
    note = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["to_team", "created_at"], name="handback_team_idx")]

    def __str__(self):
        target = "requester" if self.to_requester else f"tier {self.to_tier}"
        return f"Ticket {self.ticket_id}: tier {self.from_tier} → {target}"


class TierTime(models.Model):
    """Time a ticket spent in each tier, kept up to date on every event so reports never replay
    the history. A running segment (``segment_started_at``) is added to ``current_tier`` when
    the ticket changes tier or stops being active. Business seconds stay empty until a calendar
    app provides ``extensions.business_seconds``."""

    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.CASCADE, primary_key=True, related_name="tier_time"
    )
    current_tier = models.PositiveSmallIntegerField(choices=Tier.choices, default=Tier.ONE)
    segment_started_at = models.DateTimeField(null=True, blank=True)
    tier1_seconds = models.FloatField(default=0)
    tier2_seconds = models.FloatField(default=0)
    tier3_seconds = models.FloatField(default=0)
    tier1_business_seconds = models.FloatField(null=True, blank=True)
    tier2_business_seconds = models.FloatField(null=True, blank=True)
    tier3_business_seconds = models.FloatField(null=True, blank=True)
    opened_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    open_to_resolved_seconds = models.FloatField(null=True, blank=True)
    escalations = models.PositiveIntegerField(default=0)
    hand_backs = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "time per tier"
        verbose_name_plural = "time per tier"

    def __str__(self):
        return f"Time per tier of ticket {self.ticket_id}"


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """An in-app notice to one person about one ticket (the e-mail goes through the mail app)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40)
    message = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "read_at", "-created_at"], name="notification_inbox_idx")
        ]

    def __str__(self):
        return f"{self.kind} for {self.user} on ticket {self.ticket_id}"
