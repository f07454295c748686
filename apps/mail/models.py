"""Every e-mail Switchboard sends, kept as a row: what, to whom, and whether it went out."""

from django.db import models
from django.utils import timezone

from apps.tickets.models import Ticket, TicketEvent


class OutboundMessage(models.Model):
    """One notification to one person about one ticket event.

    The unique constraint makes "at most one e-mail per event, recipient and kind" a database
    fact, so a re-delivered event or a retried task cannot send twice.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="outbound_messages")
    event = models.ForeignKey(TicketEvent, null=True, blank=True, on_delete=models.CASCADE)
    kind = models.CharField(max_length=40)
    to = models.EmailField()
    subject = models.CharField(max_length=255)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["event", "to", "kind"], name="one_mail_per_event")
        ]

    def __str__(self):
        return f"{self.kind} to {self.to}"
