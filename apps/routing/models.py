"""Routing rules, the decisions they made, and how tickets are classified (root causes)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from apps.accounts.models import Team
from apps.tickets.models import Ticket


class Rule(models.Model):
    """One ordered rule: when ``conditions`` match a new ticket, apply ``actions`` in order.

    ``conditions`` is a tree of groups: ``{"all": [...]}`` or ``{"any": [...]}`` whose items are
    groups or conditions ``{"field": "category", "op": "equals", "value": "Payments"}``; an
    empty ``all`` matches every ticket (a catch-all). ``actions`` is a list of
    ``{"action": "<registered ticket action>", "params": {...}}``.
    """

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0, db_index=True)
    enabled = models.BooleanField(default=True)
    conditions = models.JSONField(default=dict, blank=True)
    actions = models.JSONField(default=list, blank=True)
    stop_processing = models.BooleanField(
        "stop processing further rules",
        default=False,
        help_text="When this rule matches, later rules are not looked at.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.name


class RuleRevision(models.Model):
    """Who changed a rule, when, and what it looked like afterwards (append-only)."""

    rule = models.ForeignKey(
        Rule, null=True, blank=True, on_delete=models.SET_NULL, related_name="revisions"
    )
    rule_name = models.CharField(max_length=120)
    change = models.CharField(max_length=20)  # created, changed, deleted, moved, imported
    changed_fields = models.JSONField(default=list, blank=True)
    snapshot = models.JSONField(default=dict, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self):
        return f"{self.rule_name} {self.change} at {self.changed_at:%Y-%m-%d %H:%M}"


class Trigger(models.TextChoices):
    CREATED = "created", "Ticket created"
    REROUTE = "reroute", "Re-routed on demand"
    TRIAGE = "triage", "Routed by a triager"


class RoutingDecision(models.Model):
    """One evaluation of the rules for a ticket: "why this ticket went here"."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="routing_decisions")
    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # [{"rule_id", "rule", "actions": [{"action", "label", "result"|"error"}]}]
    matched = models.JSONField(default=list, blank=True)
    # [{"rule_id", "rule", "error"}]: rules that failed to evaluate and were skipped.
    errors = models.JSONField(default=list, blank=True)
    routed = models.BooleanField(
        default=False, help_text="A rule (or a triager) sent the ticket out of triage."
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rules_evaluated = models.PositiveIntegerField(default=0)
    match_ms = models.FloatField(default=0)
    total_ms = models.FloatField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["ticket", "-created_at"], name="decision_ticket_idx"),
            models.Index(fields=["trigger", "created_at"], name="decision_trigger_idx"),
        ]

    def __str__(self):
        return f"{self.get_trigger_display()} for ticket {self.ticket_id}"


class RootCause(models.Model):
    """An admin-editable list of why tickets happen ("Expired certificate", "Bad master data")."""

    name = models.CharField(max_length=120, unique=True)
    description = models.CharField(max_length=255, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class TicketClassification(models.Model):
    """What the owning team learnt about a ticket: its root cause, regression, feature."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="classification")
    root_cause = models.ForeignKey(
        RootCause, null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    root_cause_hint = models.ForeignKey(
        RootCause,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Suggested by a routing rule; an agent confirms the real root cause.",
    )
    is_regression = models.BooleanField("regression", default=False)
    feature = models.CharField("product feature", max_length=120, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Classification of ticket {self.ticket_id}"


class TeamRoutingSettings(models.Model):
    """Per-team routing and classification policy."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="routing_settings")
    requires_root_cause = models.BooleanField(
        default=False, help_text="Tickets of this team cannot be resolved without a root cause."
    )

    class Meta:
        verbose_name = "team classification policy"
        verbose_name_plural = "team classification policies"

    def __str__(self):
        return f"Policy of {self.team}"
