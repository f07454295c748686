"""Time spent on tickets: one entry per reply, note or subtask a person said took time."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone


class TimeEntry(models.Model):
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="time_entries"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    minutes = models.PositiveIntegerField()
    # The team whose rate priced it (the ticket's team then) and that cost, kept as they
    # were: a later change of rate does not rewrite last quarter's figures.
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cost = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    comment = models.ForeignKey(
        "tickets.Comment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A subtask's id when the time was spent on one (subtasks are a feature app: no key).
    subtask_id = models.IntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="time_entry_ticket_idx")]
        verbose_name_plural = "time entries"

    def __str__(self):
        return f"{self.minutes} min on ticket {self.ticket_id}"
