"""Case scoring: questionnaires an admin writes, rounds a lead runs over a period's tickets, and
each reviewer's scores and answers."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from apps.accounts.models import Team
from apps.tickets.models import Category, Ticket


class ScoreGroup(models.TextChoices):
    """What a question's points add up to: how the product fared, or how support worked."""

    PRODUCT = "product", "Product score"
    PROCESS = "process", "Support-process score"
    FREE_TEXT = "free_text", "Free text (no points)"


class Questionnaire(models.Model):
    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Question(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="questions"
    )
    text = models.CharField(max_length=255)
    help_text = models.CharField(max_length=255, blank=True)
    group = models.CharField(max_length=10, choices=ScoreGroup.choices)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["questionnaire", "order", "id"]

    def __str__(self):
        return self.text


class Choice(models.Model):
    """One answer a scored question offers, and the points it is worth."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(max_length=120)
    points = models.IntegerField(default=0)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["question", "order", "id"]

    def __str__(self):
        return f"{self.text} ({self.points:+d})"


class SampleRule(models.TextChoices):
    ALL = "all", "Every ticket resolved in the period"
    PER_TEAM = "per_team", "n tickets per team"
    PER_CATEGORY = "per_category", "n tickets per category"


class SampleOrder(models.TextChoices):
    RANDOM = "random", "At random"
    PRIORITY = "priority", "Highest priority first"


class ScoringRound(models.Model):
    """A lead's review of the tickets resolved in a period, shared out among reviewers."""

    name = models.CharField(max_length=120)
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="+")
    teams = models.ManyToManyField(Team, related_name="+")
    period_start = models.DateField()
    period_end = models.DateField(help_text="Inclusive.")
    sample_rule = models.CharField(max_length=15, choices=SampleRule.choices)
    sample_size = models.PositiveIntegerField(null=True, blank=True)
    sample_order = models.CharField(
        max_length=10, choices=SampleOrder.choices, default=SampleOrder.RANDOM
    )
    reviewers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.name


class ScoredCase(models.Model):
    """One ticket of a round, given to one reviewer; scored once they send the questionnaire."""

    round = models.ForeignKey(ScoringRound, on_delete=models.CASCADE, related_name="cases")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="scoring_cases"
    )
    # Copied from the ticket when the round is drawn, so results group as the case was.
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    feature = models.CharField(max_length=120, blank=True)
    product_score = models.IntegerField(null=True, blank=True)
    process_score = models.IntegerField(null=True, blank=True)
    scored_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["round", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "ticket"], name="scored_case_once_per_round")
        ]
        indexes = [models.Index(fields=["reviewer", "scored_at"], name="scoring_to_score_idx")]

    def __str__(self):
        return f"{self.ticket.reference} in {self.round}"

    @property
    def total(self) -> int | None:
        if self.scored_at is None:
            return None
        return (self.product_score or 0) + (self.process_score or 0)


class CaseAnswer(models.Model):
    case = models.ForeignKey(ScoredCase, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    choice = models.ForeignKey(
        Choice, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "question"], name="one_answer_per_question")
        ]

    def __str__(self):
        return f"{self.question}: {self.choice or self.text}"
