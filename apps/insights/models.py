"""Insights: the summaries leads' figures are read from.

``TicketFact`` is one row per ticket with what every KPI needs — where the ticket is, how long
each stage took, how it ended — kept current by a reaction at the end of every change to the
ticket (``apps.insights.facts``), so a dashboard over a quarter is an indexed aggregate over
these rows, never a walk over tickets, events and clocks.
"""

from django.db import models
from django.utils import timezone

from apps.accounts.models import Team
from apps.tickets.models import Ticket

# What the figures of tickets created (resolved) in a period read besides the team and the date.
CREATED_FIGURES = [
    "ticket",
    "priority",
    "first_response_seconds",
    "sla_first_response",
    "is_regression",
    "is_performance",
    "root_cause_id",
    "tier1_seconds",
    "tier2_seconds",
    "tier3_seconds",
    "priority_changed",
]
RESOLVED_FIGURES = [
    "ticket",
    "resolution_seconds",
    "tier1_seconds",
    "tier2_seconds",
    "tier3_seconds",
    "max_tier",
    "escalations",
    "hand_backs",
    "reopens",
    "resolution",
    "sla_resolution",
    "root_cause_id",
    "satisfied",
]


class TicketFact(models.Model):
    ticket = models.OneToOneField(
        Ticket, primary_key=True, on_delete=models.CASCADE, related_name="fact"
    )
    # Where it is (the dimensions figures are cut by).
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tier = models.PositiveSmallIntegerField(default=1)
    category_id = models.IntegerField(null=True, blank=True)
    product_id = models.IntegerField(null=True, blank=True)
    location_id = models.IntegerField(null=True, blank=True)
    priority = models.PositiveSmallIntegerField(default=2)
    # Whether a person of support changed the priority the intake gave it (rules do not count).
    priority_changed = models.BooleanField(default=False)
    channel = models.CharField(max_length=10, blank=True)
    status = models.CharField(max_length=10, blank=True)
    root_cause_id = models.IntegerField(null=True, blank=True)
    feature = models.CharField(max_length=120, blank=True)
    # Whom it is assigned to (a user id, no foreign key: figures outlive people's accounts).
    assignee_id = models.IntegerField(null=True, blank=True)
    # When.
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    # How long (wall-clock seconds; tiers from apps.tickets.tiers' TierTime).
    first_response_seconds = models.FloatField(null=True, blank=True)
    resolution_seconds = models.FloatField(null=True, blank=True)
    tier1_seconds = models.FloatField(default=0)
    tier2_seconds = models.FloatField(default=0)
    tier3_seconds = models.FloatField(default=0)
    max_tier = models.PositiveSmallIntegerField(default=1)
    escalations = models.PositiveIntegerField(default=0)
    hand_backs = models.PositiveIntegerField(default=0)
    reopens = models.PositiveIntegerField(default=0)
    # How it ended.
    resolution = models.CharField(max_length=15, blank=True)
    shared_article = models.BooleanField(default=False)
    is_regression = models.BooleanField(default=False)
    is_performance = models.BooleanField(default=False)
    # SLA: "met", "breached" or "" (no clock, or still running), per metric.
    sla_first_response = models.CharField(max_length=10, blank=True)
    sla_resolution = models.CharField(max_length=10, blank=True)
    # The requester's rating (apps.reviews): True good, False bad, None not rated.
    satisfied = models.BooleanField(null=True, blank=True)
    # Time and cost people logged on it (apps.tickets.timekeeping), and its problem.
    hours_spent = models.FloatField(default=0)
    cost = models.FloatField(default=0)
    problem_id = models.IntegerField(null=True, blank=True)
    refreshed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # A period's figures are read from these indexes alone (index-only scans): the rows of
        # one team, or of every team, created or resolved in the period, with the columns the
        # dashboard, the KPI pages and the Pareto read. A filter or a cut by another column
        # (a category, a location…) reads the table too.
        indexes = [
            models.Index(
                fields=["team", "created_at"], include=CREATED_FIGURES, name="fact_team_created_idx"
            ),
            models.Index(
                fields=["created_at"], include=["team", *CREATED_FIGURES], name="fact_created_idx"
            ),
            models.Index(
                fields=["team", "resolved_at"],
                include=RESOLVED_FIGURES,
                name="fact_team_resolved_idx",
            ),
            models.Index(
                fields=["resolved_at"],
                include=["team", *RESOLVED_FIGURES],
                name="fact_resolved_idx",
            ),
        ]

    def __str__(self):
        return f"Figures of ticket {self.ticket_id}"


class VolumeGoal(models.Model):
    """A lead's weekly goal for a team's volume ("50 a week"), drawn as a line on its chart."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="volume_goals")
    high_priority_only = models.BooleanField(
        default=False, help_text="The goal counts only high and critical tickets."
    )
    tickets_per_week = models.PositiveIntegerField()
    set_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team", "high_priority_only"], name="one_volume_goal_per_team_and_kind"
            )
        ]

    def __str__(self):
        kind = "high/critical" if self.high_priority_only else "all"
        return f"{self.team}: {self.tickets_per_week} {kind} tickets a week"
