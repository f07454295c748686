"""The outbox: every e-mail Switchboard sends, stored with the change that caused it."""

from django.db import models
from django.utils import timezone


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class OutboxMessage(models.Model):
    """One rendered message to one address, written in the transaction of what caused it.

    ``dedupe_key`` names the fact the message is about (an event and a person, a subtask link
    and its version…): unique, so a re-delivered event or a retried service stores it once.
    A worker claims it by moving it from pending to sending with a conditional update; a claim
    older than OUTBOX_STALE_CLAIM_SECONDS belongs to a dead worker and the sweep takes it back.
    """

    kind = models.CharField(max_length=40)
    to = models.EmailField()
    subject = models.CharField(max_length=255)
    body = models.TextField()
    headers = models.JSONField(default=dict, blank=True)
    dedupe_key = models.CharField(max_length=255, unique=True)
    # A ticket's reference, to find its mail in the admin (core cannot point at tickets).
    ticket_reference = models.CharField(max_length=40, blank=True, db_index=True)
    # Where a reply to this message belongs ("ticket:12", "subtask:34"); "" for none.
    thread = models.CharField(max_length=40, blank=True)
    status = models.CharField(
        max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The sweep (pending and due, stale sending) and /healthz/ counts read by this.
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx"),
        ]

    def __str__(self):
        return f"{self.kind} to {self.to}"
