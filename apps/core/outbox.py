"""The outbox: store a message with the change that caused it, send it after commit, once.

Every e-mail goes through here. ``outbox_enqueue`` writes the rendered message in the caller's
transaction (so it exists exactly when the change does) and publishes the send task after
commit. ``outbox_send`` claims the row with a conditional update, sends, and records the result:
a temporary error puts it back with a growing delay, a permanent one marks it failed with the
reason. ``outbox_sweep`` (beat, every minute) publishes what is due again — messages whose task
was lost with the broker, retries — and takes back claims of workers that died mid-send.

Time limits are chosen so a slow but living worker is never doubled: a send gives up after
EMAIL_TIMEOUT per SMTP step, the task is killed at CELERY_TASK_TIME_LIMIT, and only a claim
older than OUTBOX_STALE_CLAIM_SECONDS (longer than both) is taken back.
"""

import hashlib
import logging
import random
import smtplib
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connections, router, transaction
from django.db.models import Count, F, Max, Min, Q
from django.utils import timezone

from .mailchoices import mail_wanted
from .mailthread import message_id_for, reply_address_for
from .models import OutboxMessage, OutboxStatus
from .queue import publish, publish_after_commit
from .text import squash_line

log = logging.getLogger(__name__)

PENDING, SENDING, SENT, FAILED = (
    OutboxStatus.PENDING,
    OutboxStatus.SENDING,
    OutboxStatus.SENT,
    OutboxStatus.FAILED,
)


def mail_domain() -> str:
    """The domain of our Message-IDs: the site's host name."""
    return settings.SITE_URL.split("//")[-1].split(":")[0].split("/")[0] or "switchboard.local"


def _key(dedupe_key: str) -> str:
    if len(dedupe_key) <= 255:
        return dedupe_key
    digest = hashlib.sha256(dedupe_key.encode()).hexdigest()
    return f"{dedupe_key[:190]}…{digest}"


def outbox_enqueue(
    *,
    kind: str,
    to: str,
    subject: str,
    body: str,
    dedupe_key: str,
    headers: dict[str, str] | None = None,
    ticket_reference: str = "",
    thread: str = "",
    topic: str = "",
    recipient=None,
) -> OutboxMessage | None:
    """Store one message in the current transaction and send it after commit.

    ``thread`` ("ticket:12", "subtask:34") is where a reply to it belongs; "" for messages
    whose replies must not land anywhere (sign-in links, password resets).
    Returns None when a message with this ``dedupe_key`` was stored before (a re-delivered
    event, a retried service): it is not stored or sent again. Also None when the person
    turned this kind of mail off (``apps.core.mailchoices``; ``topic`` says what a general
    kind such as "notified" is about, ``recipient`` is the person if the caller has them):
    this is the one place every e-mail path asks.
    """
    from .tasks import send_outbox_message

    if not mail_wanted(kind=kind, to=to, topic=topic, recipient=recipient):
        return None
    message = OutboxMessage(
        kind=kind,
        to=to,
        # One line whatever the ticket's subject holds: a line break in a header would make
        # the message unsendable, for good.
        subject=squash_line(subject, 255),
        body=body,
        headers=headers or {},
        dedupe_key=_key(dedupe_key),
        ticket_reference=ticket_reference,
        thread=thread,
    )
    message.pk = _insert_unless_stored(message)
    if message.pk is None:
        return None
    message._state.adding = False
    publish_after_commit(send_outbox_message, message.pk)
    return message


def _insert_unless_stored(message: OutboxMessage) -> int | None:
    """``INSERT … ON CONFLICT (dedupe_key) DO NOTHING RETURNING id``: the new row's id, or None
    if the key is taken. One statement and no savepoint (get_or_create costs four), which
    matters as a ticket's change may store several messages. PostgreSQL and SQLite ≥ 3.35."""
    meta, connection = OutboxMessage._meta, connections[router.db_for_write(OutboxMessage)]
    quote = connection.ops.quote_name
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    values = [f.get_db_prep_save(f.pre_save(message, add=True), connection) for f in fields]
    sql = (
        # Reviewed (B608): SQL text built from our own identifiers; every value is a query parameter.
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "  # nosec B608
        f"VALUES ({', '.join(['%s'] * len(fields))}) "
        f"ON CONFLICT ({quote(meta.get_field('dedupe_key').column)}) DO NOTHING "
        f"RETURNING {quote(meta.pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        row = cursor.fetchone()
    return row[0] if row else None


# --- sending


def is_permanent(exc: BaseException) -> bool:
    """Whether trying again later cannot help: the server said no for good (5xx), or the
    message itself cannot be written (a header with a line break, an unencodable address)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return False  # our credentials: fixed by an admin, then every message should go
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600
    if isinstance(exc, OSError | smtplib.SMTPException):
        return False  # refused, reset, timed out, disconnected: the server may come back
    # BadHeaderError and UnicodeError are ValueErrors: the message is broken, not the server.
    return isinstance(exc, ValueError | TypeError)


def describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        text = "; ".join(
            f"{rcpt}: {code} {reply.decode(errors='replace') if isinstance(reply, bytes) else reply}"
            for rcpt, (code, reply) in exc.recipients.items()
        )
    elif isinstance(exc, smtplib.SMTPResponseException):
        error = exc.smtp_error
        text = f"{exc.smtp_code} {error.decode(errors='replace') if isinstance(error, bytes) else error}"
    else:
        text = str(exc) or "(no message)"
    return f"{type(exc).__name__}: {text}"[:2000]


def retry_delay(attempts: int) -> timedelta:
    """After the n-th failed attempt: base * 2^(n-1), capped, ±20 % so a crowd of messages
    refused together does not come back together. With the defaults (1 min, 1 h cap, 12
    attempts) the tries spread over about six hours."""
    base = settings.OUTBOX_RETRY_BASE_SECONDS
    seconds = min(base * 2 ** max(attempts - 1, 0), settings.OUTBOX_RETRY_MAX_SECONDS)
    return timedelta(seconds=seconds * random.uniform(0.8, 1.2))


def _deliver(message: OutboxMessage) -> None:
    headers = {
        **message.headers,
        # Fixed per row, so a message that ever arrives twice is seen as the same one; signed,
        # so a reply quoting it (or written to the Reply-To) proves what it answers.
        "Message-ID": message_id_for(message.pk, mail_domain()),
        "Reply-To": reply_address_for(message.pk),
        # RFC 3834: out-of-office responders and other desks must not answer us (no loops).
        "Auto-Submitted": "auto-generated",
        "X-Auto-Response-Suppress": "All",
    }
    EmailMessage(
        subject=message.subject, body=message.body, to=[message.to], headers=headers
    ).send()  # EMAIL_BACKEND, with EMAIL_TIMEOUT on every SMTP step


def outbox_send(*, message_id: int) -> bool:
    """Send one stored message if it is pending and due. Returns whether this call sent it.

    The conditional update is the claim: of two workers handed the same message, one moves it
    to "sending" and sends, the other updates nothing and stops.
    """
    claimed_at = timezone.now()
    claimed = OutboxMessage.objects.filter(
        pk=message_id, status=PENDING, next_attempt_at__lte=claimed_at
    ).update(status=SENDING, claimed_at=claimed_at, attempts=F("attempts") + 1)
    if not claimed:
        return False
    message = OutboxMessage.objects.get(pk=message_id)
    try:
        _deliver(message)
    except Exception as exc:  # every failure is recorded on the row, none is raised to Celery
        _attempt_failed(message, exc, claimed_at=claimed_at)
        return False
    # Not conditional on our claim: whatever became of it meanwhile, it went out.
    OutboxMessage.objects.filter(pk=message_id).exclude(status=SENT).update(
        status=SENT, sent_at=timezone.now(), last_error=""
    )
    return True


def _attempt_failed(message: OutboxMessage, exc: Exception, *, claimed_at: datetime) -> None:
    reason = describe(exc)
    # Only while the claim is still ours: a sweep may have taken it back in the meantime.
    ours = OutboxMessage.objects.filter(pk=message.pk, status=SENDING, claimed_at=claimed_at)
    if is_permanent(exc):
        ours.update(status=FAILED, claimed_at=None, last_error=reason)
        log.error("outbox message %s to %s failed for good: %s", message.pk, message.to, reason)
    elif message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        reason = f"gave up after {message.attempts} attempts; last: {reason}"
        ours.update(status=FAILED, claimed_at=None, last_error=reason[:2000])
        log.error("outbox message %s to %s: %s", message.pk, message.to, reason)
    else:
        next_at = timezone.now() + retry_delay(message.attempts)
        ours.update(status=PENDING, claimed_at=None, next_attempt_at=next_at, last_error=reason)
        log.warning(
            "outbox message %s to %s: attempt %s failed (%s); next at %s",
            message.pk,
            message.to,
            message.attempts,
            reason,
            next_at.isoformat(timespec="seconds"),
        )


# --- the sweep, and the admin's retry


def _reclaim_stale(now: datetime, batch: int) -> tuple[list[int], int]:
    """Claims older than the stale timeout belong to workers that died: back to pending (or
    failed, when the message has used its attempts — it may be what kills the worker)."""
    seconds = settings.OUTBOX_STALE_CLAIM_SECONDS
    stale = OutboxMessage.objects.filter(
        status=SENDING, claimed_at__lt=now - timedelta(seconds=seconds)
    )
    ids = list(stale.order_by("claimed_at").values_list("pk", flat=True)[:batch])
    if not ids:
        return [], 0
    reason = f"the worker sending it stopped (claim older than {seconds} s)"
    failed = stale.filter(pk__in=ids, attempts__gte=settings.OUTBOX_MAX_ATTEMPTS).update(
        status=FAILED, claimed_at=None, last_error=reason
    )
    back = list(stale.filter(pk__in=ids).values_list("pk", flat=True))
    stale.filter(pk__in=back).update(
        status=PENDING, claimed_at=None, next_attempt_at=now, last_error=reason
    )
    if back or failed:
        log.warning("outbox: took back %s stale claims, gave up %s", len(back), failed)
    return back, failed


def outbox_sweep(*, batch: int | None = None) -> dict[str, int]:
    """One pass of the beat job, in bounded batches (the next minute's run does the rest).

    Messages due for longer than OUTBOX_REPUBLISH_AFTER_SECONDS are published again: their
    task was lost (broker down or emptied), or it is a retry whose delay has passed. A
    duplicate task is harmless, the claim makes it a no-op.
    """
    batch = batch or settings.OUTBOX_SWEEP_BATCH
    now = timezone.now()
    reclaimed, gave_up = _reclaim_stale(now, batch)
    due_before = now - timedelta(seconds=settings.OUTBOX_REPUBLISH_AFTER_SECONDS)
    due = list(
        OutboxMessage.objects.filter(status=PENDING, next_attempt_at__lte=due_before)
        .exclude(pk__in=reclaimed)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[: max(batch - len(reclaimed), 0)]
    )
    from .tasks import send_outbox_message

    published = 0
    for pk in [*reclaimed, *due]:
        if not publish(send_outbox_message, pk):
            break  # the broker is down: the next sweep tries again
        published += 1
    return {"reclaimed": len(reclaimed), "gave_up": gave_up, "published": published}


@transaction.atomic
def outbox_retry(*, message_ids: list[int]) -> int:
    """An admin's "retry now": failed or waiting messages become due at once, with a fresh
    set of attempts. Returns how many were reset."""
    ids = list(
        OutboxMessage.objects.filter(pk__in=message_ids, status__in=[FAILED, PENDING]).values_list(
            "pk", flat=True
        )
    )
    OutboxMessage.objects.filter(pk__in=ids).update(
        status=PENDING, attempts=0, next_attempt_at=timezone.now(), claimed_at=None
    )
    from .tasks import send_outbox_message

    for pk in ids:
        publish_after_commit(send_outbox_message, pk)
    return len(ids)


def outbox_sent_bodies_clear(*, now: datetime | None = None, batch: int = 5000) -> int:
    """Clear the text of messages sent more than OUTBOX_KEEP_SENT_BODY_DAYS ago; returns how
    many. A sent e-mail's text is personal data the desk no longer needs, while its row still
    threads replies to it and keeps its fact from being mailed twice: the row stays."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.OUTBOX_KEEP_SENT_BODY_DAYS)
    old = OutboxMessage.objects.filter(status=SENT, sent_at__lt=cutoff).exclude(body="")
    bounds = old.aggregate(first=Min("pk"), last=Max("pk"))
    cleared = 0
    if bounds["first"] is None:
        return cleared
    # A range of ids per statement: each commits on its own (beat runs it outside a
    # transaction), and none rereads the rows cleared before it.
    for low in range(bounds["first"], bounds["last"] + 1, batch):
        cleared += old.filter(pk__range=(low, low + batch - 1)).update(body="")
    return cleared


def outbox_backlog() -> dict:
    """What /healthz/ shows of the outbox: what waits, since when, what failed."""
    now = timezone.now()
    figures = OutboxMessage.objects.filter(status__in=[PENDING, SENDING, FAILED]).aggregate(
        pending=Count("pk", filter=Q(status=PENDING)),
        sending=Count("pk", filter=Q(status=SENDING)),
        failed=Count("pk", filter=Q(status=FAILED)),
        oldest=Min("created_at", filter=Q(status=PENDING)),
        first_due=Min("next_attempt_at", filter=Q(status=PENDING)),
    )
    oldest, first_due = figures.pop("oldest"), figures.pop("first_due")
    overdue = max((now - first_due).total_seconds(), 0) if first_due else 0
    return {
        # Due messages waiting much longer than the sweep's minute: nothing is sending them.
        "ok": overdue < settings.OUTBOX_OVERDUE_ALERT_SECONDS,
        **figures,
        "oldest_pending_age_seconds": round((now - oldest).total_seconds()) if oldest else 0,
        "overdue_seconds": round(overdue),
    }
