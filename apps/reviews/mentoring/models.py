"""The weekly mentor review: a sponsor paired with up to three techs goes through every ticket
each of them touched that closed in the week; the tech's one-line summary and the sponsor's
private coaching note are kept per ticket and week."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from apps.accounts.models import Team
from apps.tickets.models import Ticket

MAX_TECHS = 3


class Pairing(models.Model):
    """A sponsor and the techs they mentor, set up by a lead of the team."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    sponsor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sponsorships"
    )
    techs = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="mentors")
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["team__name", "sponsor__full_name"]

    def __str__(self):
        return f"{self.sponsor} mentors in {self.team}"


class ReviewEntry(models.Model):
    """What was said about one ticket a tech touched, in the review of one week."""

    week = models.DateField(help_text="The Monday the reviewed week starts on.")
    tech = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_entries"
    )
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    summary = models.CharField(max_length=200, blank=True)
    passed_on = models.BooleanField(
        "passed it on without working it",
        null=True,
        blank=True,
        help_text="Empty until the tech says; the review suggests it from the history.",
    )
    # The sponsor's, for the 1:1: never shown to the tech.
    coaching_note = models.TextField(blank=True)
    coached_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    suggest_article = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["week", "tech", "ticket"]
        constraints = [
            models.UniqueConstraint(
                fields=["week", "tech", "ticket"], name="review_entry_once_per_week"
            )
        ]

    def __str__(self):
        return f"{self.ticket.reference} by {self.tech} (week of {self.week})"
