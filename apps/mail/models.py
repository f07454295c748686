"""E-mail in: the mailboxes Switchboard reads, and every message that reached it, as received.

An ``InboundMessage`` is written with the raw bytes before anything is parsed, so whatever
happens next (a parser error, a database error half-way, a crash) the message is still here,
with its status saying what became of it. Nothing deletes one.
"""

import hashlib
import hmac

from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.core.sealed import Unreadable, seal, unseal


class UnknownSenders(models.TextChoices):
    ANYONE = "anyone", "Anyone: an account is made for a new sender"
    DOMAINS = "domains", "Only addresses of a known organisation's domains"
    KNOWN = "known", "Only people who already have an account"


class AfterIngest(models.TextChoices):
    FLAG = "flag", "Mark as read and flag it"
    MOVE = "move", "Move it to another folder"


class Mailbox(models.Model):
    """An address people write to. With an IMAP server it is polled every minute; without one,
    mail for it arrives through the MTA pipe (``manage.py ingest_email``) or the HTTP entry."""

    name = models.CharField(max_length=100, unique=True)
    address = models.EmailField(
        unique=True, help_text="The address people write to, e.g. help@example.com."
    )
    is_active = models.BooleanField(default=True)
    default_category = models.ForeignKey(
        "tickets.Category",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text="Given to new tickets from this mailbox (routing rules may still change it).",
    )
    default_team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text="Where new tickets go when no routing rule places them (else: triage).",
    )
    unknown_senders = models.CharField(
        max_length=10, choices=UnknownSenders.choices, default=UnknownSenders.ANYONE
    )
    # IMAP (all optional: an empty host means the mailbox is not polled).
    imap_host = models.CharField("IMAP host", max_length=255, blank=True)
    imap_port = models.PositiveIntegerField("IMAP port", default=993)
    imap_ssl = models.BooleanField("SSL/TLS", default=True)
    imap_username = models.CharField("IMAP user name", max_length=255, blank=True)
    imap_password_sealed = models.TextField(blank=True, editable=False)
    imap_folder = models.CharField("folder", max_length=255, default="INBOX")
    after_ingest = models.CharField(
        max_length=10, choices=AfterIngest.choices, default=AfterIngest.FLAG
    )
    move_to_folder = models.CharField(max_length=255, blank=True, default="Switchboard")
    # Where polling stopped: UIDs are only meaningful within one UIDVALIDITY of the folder.
    imap_uidvalidity = models.BigIntegerField(null=True, blank=True, editable=False)
    imap_last_uid = models.BigIntegerField(default=0, editable=False)
    last_polled_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.TextField(blank=True, editable=False)
    # The HTTP entry's bearer token, as a SHA-256 (shown once when issued).
    intake_token_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "mailboxes"

    def __str__(self):
        return f"{self.name} <{self.address}>"

    @property
    def polls(self) -> bool:
        return bool(self.is_active and self.imap_host)

    def set_imap_password(self, password: str) -> None:
        self.imap_password_sealed = seal(password)

    def imap_password(self) -> str:
        return unseal(self.imap_password_sealed)

    @property
    def imap_password_readable(self) -> bool:
        try:
            self.imap_password()
        except Unreadable:
            return False
        return True

    def intake_token_matches(self, token: str) -> bool:
        digest = hashlib.sha256(token.encode()).hexdigest()
        return bool(self.intake_token_hash) and hmac.compare_digest(digest, self.intake_token_hash)


class Source(models.TextChoices):
    PIPE = "pipe", "MTA pipe"
    IMAP = "imap", "IMAP"
    HTTP = "http", "HTTP"
    DEMO = "demo", "Demo"


class Status(models.TextChoices):
    RECEIVED = "received", "Received (not processed yet)"
    CREATED = "created", "Opened a ticket"
    COMMENT = "comment", "Added to a ticket"
    SUBTASK = "subtask", "Added to a subtask"
    DUPLICATE = "duplicate", "Duplicate"
    IGNORED = "ignored", "Ignored"
    QUARANTINED = "quarantined", "Quarantined"


DONE_STATUSES = (Status.CREATED, Status.COMMENT, Status.SUBTASK)


class InboundMessage(models.Model):
    """One message as it arrived: raw bytes first, then what became of it."""

    raw = models.BinaryField(editable=False)
    sha256 = models.CharField(max_length=64, unique=True, editable=False)
    size = models.PositiveIntegerField(editable=False)
    source = models.CharField(max_length=10, choices=Source.choices, editable=False)
    mailbox = models.ForeignKey(
        Mailbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    received_at = models.DateTimeField(default=timezone.now, db_index=True, editable=False)
    # Read from the message when it is processed.
    message_id = models.CharField(max_length=255, blank=True, editable=False)
    from_address = models.CharField(max_length=254, blank=True, db_index=True, editable=False)
    subject = models.CharField(max_length=200, blank=True, editable=False)
    # What became of it.
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.RECEIVED, editable=False
    )
    outcome = models.CharField(max_length=300, blank=True, editable=False)
    error = models.TextField(blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    processed_at = models.DateTimeField(null=True, blank=True, editable=False)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, editable=False
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_messages",
        editable=False,
    )
    comment = models.ForeignKey(
        "tickets.Comment", null=True, blank=True, on_delete=models.SET_NULL, editable=False
    )
    # The full text as received (quotes and signature included), for "view the whole e-mail".
    full_text = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            # A Message-ID is taken once: the same message reaching two mailboxes (or sent
            # again by an MTA after a timeout) becomes a duplicate, not a second ticket.
            models.UniqueConstraint(
                fields=["message_id"],
                condition=Q(duplicate_of__isnull=True) & ~Q(message_id=""),
                name="inbound_message_id_once",
            )
        ]
        indexes = [
            models.Index(fields=["status", "received_at"], name="inbound_status_idx"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.from_address or '?'}: {self.subject or '(no subject)'}"

    @staticmethod
    def digest(raw: bytes) -> str:
        return hashlib.sha256(raw).hexdigest()
