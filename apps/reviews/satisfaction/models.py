"""Requesters' satisfaction: one rating per ticket (changeable for a while), and the kudos the
desk collects per agent and team to share upward."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from apps.accounts.models import Team
from apps.tickets.models import Comment, Ticket


class Score(models.TextChoices):
    GOOD = "good", "Good, I'm satisfied"
    BAD = "bad", "Bad, I'm unsatisfied"


class Via(models.TextChoices):
    EMAIL = "email", "E-mail link"
    PORTAL = "portal", "Portal"


class Rating(models.Model):
    """The requester's say on a resolved ticket: one per ticket, changed (not added to) while
    it may still be changed."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="rating")
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    score = models.CharField(max_length=4, choices=Score.choices)
    comment = models.TextField(blank=True)
    via = models.CharField(max_length=10, choices=Via.choices, default=Via.EMAIL)
    # The agent the rating is about (who resolved it, else its assignee or holder).
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ratings_received",
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self):
        return f"{self.get_score_display()} on {self.ticket.reference}"


class KudosSource(models.TextChoices):
    RATING = "rating", "Satisfaction rating"
    REPLY = "reply", "Requester's reply"


class Kudos(models.Model):
    """Praise from a requester for an agent: a positive rating's comment, or a reply a sponsor
    or lead marked."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="kudos_received",
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=10, choices=KudosSource.choices)
    rating = models.OneToOneField(
        Rating, null=True, blank=True, on_delete=models.CASCADE, related_name="kudos"
    )
    comment = models.OneToOneField(
        Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="kudos"
    )
    text = models.TextField()
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "kudos"
        # The kudos page: a lead's teams', a sponsor's techs', over a period.
        indexes = [
            models.Index(fields=["team", "-created_at"], name="kudos_team_recent_idx"),
            models.Index(fields=["agent", "-created_at"], name="kudos_agent_recent_idx"),
        ]

    def __str__(self):
        return f"Kudos for {self.agent} on {self.ticket.reference}"


class KudosShare(models.Model):
    """Kudos a lead sent upward by e-mail: to whom, which, when."""

    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")
    kudos = models.ManyToManyField(Kudos, related_name="shares")
    message = models.TextField(blank=True)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self):
        return f"Kudos shared by {self.sent_by} on {self.sent_at:%Y-%m-%d}"
