"""E-mail in, one pipeline for every entry (MTA pipe, IMAP, HTTP): store first, parse second.

``inbound_store`` writes the raw bytes and commits before anything reads them; it is the only
step that may fail (the database is down), and the entries turn that into "try again later".
``inbound_process`` then decides, under a row lock, what the message is — a new ticket, a reply
on a ticket or a subtask, noise, a bounce, a duplicate — and does it in one transaction. Any
error rolls that back and leaves the message quarantined with the reason, for an admin to retry;
it never stops the next message. ``inbound_sweep`` finishes what a crash left "received".
"""

import logging
import re
import traceback
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from apps.core.errors import ApplicationError

from . import threads
from .models import DONE_STATUSES, InboundMessage, Mailbox, Status
from .outcomes import Ignore, Quarantine, Result
from .parsing import MalformedEmail, ParsedEmail, noise_reason, parse
from .senders import SenderRefused, bounce_record, sender_for

log = logging.getLogger(__name__)


def inbound_store(
    raw: bytes, *, source: str, mailbox: Mailbox | None = None, size: int | None = None
):
    """Store the raw bytes, committed at once. Returns (message, stored_now): the same bytes
    stored before give back that row. Raises only when the database cannot store it.
    ``size``: the whole message's, when only its headers are stored (it was over the limit)."""
    digest = InboundMessage.digest(raw)
    existing = InboundMessage.objects.filter(sha256=digest).defer("raw", "full_text").first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            message = InboundMessage.objects.create(
                raw=raw, sha256=digest, size=size or len(raw), source=source, mailbox=mailbox
            )
    except IntegrityError:  # stored by a concurrent delivery of the same bytes
        return InboundMessage.objects.defer("raw", "full_text").get(sha256=digest), False
    return message, True


def size_limit() -> str:
    """MAIL_MAX_MESSAGE_BYTES as people read it ("40 MB")."""
    text = filesizeformat(settings.MAIL_MAX_MESSAGE_BYTES).replace("\xa0", " ")
    return text.replace(".0 ", " ")


def outcome_line(message: InboundMessage) -> str:
    return message.outcome or f"received {message.pk}: not processed yet"


def inbound_process(message: InboundMessage, *, accept_anyway: bool = False) -> str:
    """Decide and do what the message asks; never raises. ``accept_anyway`` (an admin's choice)
    takes an ignored message past the noise and flood checks. Returns the outcome line."""
    allowed = [Status.RECEIVED, Status.QUARANTINED]
    if accept_anyway:
        allowed.append(Status.IGNORED)
    # ``accept_anyway`` also takes a message whose sender's domain disowned it (DMARC).
    with transaction.atomic():
        # The row lock makes two workers (a poll and the sweep) take the message once.
        locked = (
            InboundMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message.pk, status__in=allowed)
            .first()
        )
        if locked is None:
            message.refresh_from_db(fields=_RESULT_FIELDS)
            return outcome_line(message)
        try:
            with transaction.atomic():
                result = _process(locked, accept_anyway=accept_anyway)
        except Exception as exc:  # every failure is kept on the message, none is raised
            result = _quarantined(locked, exc)
        _finish(locked, result)
    message.refresh_from_db(fields=_RESULT_FIELDS)
    return message.outcome


_RESULT_FIELDS = ["status", "outcome", "error", "ticket", "comment", "processed_at", "attempts"]


def _quarantined(message: InboundMessage, exc: Exception) -> Result:
    if isinstance(exc, Quarantine | MalformedEmail | SenderRefused | ApplicationError):
        reason, detail = str(exc), ""
    else:
        log.exception("inbound message %s could not be processed", message.pk)
        reason = f"{type(exc).__name__}: {exc}"[:250]
        detail = traceback.format_exc()
    message.error = detail or reason
    return Result(Status.QUARANTINED, f"quarantined {message.pk}: {reason}")


def _finish(message: InboundMessage, result: Result) -> None:
    message.status = result.status
    message.outcome = result.outcome[:300]
    message.ticket = result.ticket or message.ticket
    message.comment = result.comment
    message.processed_at = timezone.now()
    message.attempts = F("attempts") + 1
    if result.status == Status.QUARANTINED:
        # What the rolled-back attempt claimed is not the message's any more.
        message.message_id, message.duplicate_of = "", None
    else:
        message.error = ""
    message.save(update_fields=[*_PROCESSED_FIELDS])


_PROCESSED_FIELDS = (
    "status",
    "outcome",
    "ticket",
    "comment",
    "processed_at",
    "attempts",
    "error",
    "from_address",
    "subject",
    "full_text",
    "mailbox",
    "message_id",
    "duplicate_of",
)


def _process(message: InboundMessage, *, accept_anyway: bool) -> Result:
    if message.size > settings.MAIL_MAX_MESSAGE_BYTES:
        if len(message.raw) < message.size:  # only its headers were taken: say whose it is
            headers = parse(bytes(message.raw))
            message.from_address = headers.from_address[:254]
            message.subject = headers.subject[:200]
        raise Quarantine(f"the message is larger than the {size_limit()} limit; it was not read")
    parsed = parse(bytes(message.raw))
    message.from_address = parsed.from_address[:254]
    message.subject = parsed.subject[:200]
    message.full_text = parsed.text
    message.mailbox = message.mailbox or threads.mailbox_for(parsed)
    duplicate = _claim_message_id(message, parsed)
    if duplicate is not None:
        return Result(
            Status.DUPLICATE, f"duplicate {message.pk}: same Message-ID as {duplicate.pk}"
        )
    message.duplicate_of = None
    try:
        return _act(message, parsed, accept_anyway=accept_anyway)
    except Ignore as why:
        return Result(Status.IGNORED, f"ignored {message.pk}: {why}")


def _claim_message_id(message: InboundMessage, parsed: ParsedEmail) -> InboundMessage | None:
    """Take the Message-ID for this row (unique among taken ones); the row that holds it
    already when it is taken."""
    message_id = parsed.message_id[:255]
    if not message_id:
        return None
    holder = (
        InboundMessage.objects.filter(message_id=message_id, duplicate_of__isnull=True)
        .exclude(pk=message.pk)
        .first()
    )
    if holder is not None:
        message.duplicate_of = holder
        message.message_id = message_id
        message.save(update_fields=["duplicate_of", "message_id"])
        return holder
    try:
        with transaction.atomic():
            InboundMessage.objects.filter(pk=message.pk).update(message_id=message_id)
    except IntegrityError:  # taken by a concurrent copy between the read and the write
        holder = InboundMessage.objects.get(message_id=message_id, duplicate_of__isnull=True)
        message.duplicate_of = holder
        message.save(update_fields=["duplicate_of"])
        return holder
    message.message_id = message_id
    return None


def _act(message: InboundMessage, parsed: ParsedEmail, *, accept_anyway: bool) -> Result:
    if parsed.bounce is not None:
        raise Ignore(bounce_record(parsed.bounce))
    if not accept_anyway:
        _refuse_forgery(parsed)
        _refuse_noise(message, parsed)
    target = threads.target_for(parsed, mailbox=message.mailbox)
    if target.ignore:
        raise Ignore(target.ignore)
    if target.ticket is not None or target.reply_kind:
        if not accept_anyway:
            _refuse_ticket_flood(target.ticket)
        done = threads.reply_add(message, parsed, target)
        if done is not None:
            return done
    sender = sender_for(parsed, mailbox=message.mailbox)
    return threads.ticket_open(message, parsed, sender, refers_to=target.ticket)


def _refuse_forgery(parsed: ParsedEmail) -> None:
    """Our MTA checked the sender's domain and it said the message is not theirs (a forged
    From): kept aside for an admin, never posted as that person."""
    results = parsed.headers.get("authentication-results", "").lower()
    if re.search(r"\bdmarc\s*=\s*fail\b", results):
        raise Quarantine(
            f"the domain of {parsed.from_address} says it did not send this message (DMARC "
            "failed); “Accept anyway” takes it if you trust it"
        )


def _refuse_noise(message: InboundMessage, parsed: ParsedEmail) -> None:
    reason = noise_reason(parsed)
    if reason:
        raise Ignore(reason)
    if threads.is_own_address(parsed.from_address):
        raise Ignore("sent by Switchboard itself (a mail loop)")
    hour_ago = timezone.now() - timedelta(hours=1)
    recent = InboundMessage.objects.filter(
        from_address=parsed.from_address, processed_at__gte=hour_ago, status__in=DONE_STATUSES
    ).count()
    if recent >= settings.MAIL_MAX_PER_SENDER_PER_HOUR:
        raise Ignore(
            f"{parsed.from_address} sent more than {settings.MAIL_MAX_PER_SENDER_PER_HOUR} "
            "messages in an hour (a loop or a flood)"
        )


def _refuse_ticket_flood(ticket) -> None:
    if ticket is None:
        return
    hour_ago = timezone.now() - timedelta(hours=1)
    recent = InboundMessage.objects.filter(
        ticket=ticket, processed_at__gte=hour_ago, status__in=DONE_STATUSES
    ).count()
    if recent >= settings.MAIL_MAX_PER_TICKET_PER_HOUR:
        raise Ignore(
            f"{ticket.reference} took more than {settings.MAIL_MAX_PER_TICKET_PER_HOUR} "
            "e-mails in an hour (a loop or a flood)"
        )


def inbound_retry(*, message_ids: list[int], accept_anyway: bool = False) -> list[str]:
    """An admin's "retry" (quarantined messages) or "accept anyway" (ignored ones)."""
    return [
        inbound_process(message, accept_anyway=accept_anyway)
        for message in InboundMessage.objects.filter(pk__in=message_ids).order_by("pk")
    ]


def inbound_sweep(*, older_than_seconds: int = 120, batch: int = 200) -> dict:
    """Process messages a crash left "received" (stored, never processed)."""
    before = timezone.now() - timedelta(seconds=older_than_seconds)
    waiting = InboundMessage.objects.filter(status=Status.RECEIVED, received_at__lt=before)
    processed = 0
    for message in waiting.order_by("received_at")[:batch]:
        inbound_process(message)
        processed += 1
    return {"processed": processed}
