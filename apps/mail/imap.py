"""Reading the IMAP mailboxes: fetch what is new, store it, mark it on the server, process it.

Order is what makes it safe. A message is stored (committed) before anything else; then the
mailbox's ``imap_last_uid`` moves past it; then it is flagged or moved on the server; then it is
processed. A crash between two steps loses nothing and creates nothing twice: the same bytes
read again are recognised by ``inbound_store`` (sha256), and a stored message left "received"
is finished by the sweep. Nothing here deletes mail from the server except a move.
"""

import base64
import imaplib
import logging
import re
import ssl
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from apps.core.sealed import Unreadable

from . import intake
from .models import AfterIngest, Mailbox, Source, Status

log = logging.getLogger(__name__)

KEYWORD = "$Switchboard"
# The poll task is killed after this long (tasks.py), and a claim on a mailbox expires with it.
POLL_TIME_LIMIT = 300
HEADER_BYTES = 64 * 1024  # of a message over the size limit, all that is fetched


class PollFailed(Exception):
    """The mailbox could not be read at all; the text is for the admin (``last_error``)."""


class _NotFetched(Exception):
    """The server answered, but gave no message for this UID."""


def _figures() -> dict:
    return {"fetched": 0, "stored": 0, "duplicates": 0, "errors": 0}


@contextmanager
def mailbox_claim(mailbox: Mailbox) -> Iterator[bool]:
    """Hold the mailbox for one poll; yields False when another run holds it.

    A cache lock, not a row lock: ``select_for_update`` would have to keep a transaction open
    for the whole poll, so ``inbound_store`` could no longer commit each message at once (its
    writes would wait in our transaction), and on SQLite Django ignores it while the open
    write transaction blocks every other writer. ``cache.add`` is atomic in Redis (production)
    and in the local-memory cache, whatever the database. The lock only saves work: two runs
    that did overlap (the cache lost the key) store each message once anyway (sha256).
    """
    key, token = f"mail:imap-poll:{mailbox.pk}", uuid.uuid4().hex
    claimed = cache.add(key, token, timeout=POLL_TIME_LIMIT + 30)
    try:
        yield bool(claimed)
    finally:
        if claimed and cache.get(key) == token:
            cache.delete(key)


def mailboxes_poll() -> dict:
    """Poll every mailbox that has an IMAP server; one failing never stops the others."""
    totals = {**_figures(), "mailboxes": 0, "failed": 0, "busy": 0, "more": False}
    for mailbox in Mailbox.objects.filter(is_active=True).exclude(imap_host="").order_by("pk"):
        try:
            figures = mailbox_poll(mailbox)
        except SoftTimeLimitExceeded:
            raise  # the task's time is up: the next beat polls the rest
        except Exception:  # e.g. the database went away while storing: logged, next mailbox
            log.exception("polling mailbox %s failed", mailbox.address)
            figures = {"failed": True}
        totals["mailboxes"] += 1
        totals["failed"] += bool(figures.get("failed"))
        totals["busy"] += bool(figures.get("busy"))
        totals["more"] = totals["more"] or bool(figures.get("more"))
        for name in _figures():
            totals[name] += figures.get(name, 0)
    return totals


def mailbox_poll(mailbox: Mailbox) -> dict:
    """Take up to MAIL_IMAP_BATCH new messages from the mailbox's folder, oldest first.

    Returns {"fetched", "stored", "duplicates", "errors"}; also "failed" (the server could not
    be read: ``last_error`` says why), "busy" (another run is polling it) and "more" (more new
    messages than one batch). "errors" counts messages not fetched, or not flagged/moved.
    """
    figures = _figures()
    with mailbox_claim(mailbox) as claimed:
        if not claimed:
            log.info("mailbox %s is being polled by another run", mailbox.address)
            return {**figures, "busy": True}
        try:
            problems = _poll(mailbox, figures)
        except PollFailed as failed:
            log.warning("mailbox %s: %s", mailbox.address, failed)
            _record(mailbox, last_error=str(failed))
            return {**figures, "failed": True}
    _record(mailbox, last_error="; ".join(problems), last_polled_at=timezone.now())
    if any(figures.values()):
        log.info("mailbox %s polled: %s", mailbox.address, figures)
    return figures


def _record(mailbox: Mailbox, **fields) -> None:
    # update(), not save(): an admin may have changed the mailbox (its password) meanwhile.
    fields["last_error"] = fields["last_error"][:2000]
    Mailbox.objects.filter(pk=mailbox.pk).update(**fields)
    for name, value in fields.items():
        setattr(mailbox, name, value)


def _poll(mailbox: Mailbox, figures: dict) -> list[str]:
    try:
        password = mailbox.imap_password()
    except Unreadable:
        raise PollFailed(
            "the stored password cannot be read (the key changed): enter it again"
        ) from None
    folder = _Folder(mailbox, password)
    try:
        folder.open()
        if folder.uidvalidity != mailbox.imap_uidvalidity:
            _restart(mailbox, folder.uidvalidity)
        new = folder.new_uids(mailbox.imap_last_uid)
        batch = new[: settings.MAIL_IMAP_BATCH]
        figures["more"] = len(new) > len(batch)
        if folder.target and batch:
            folder.ensure_target()
        problems = []
        for uid in batch:
            problem = _take(folder, uid, figures)
            if problem:
                figures["errors"] += 1
                problems.append(f"UID {uid} {problem}")
                log.warning("mailbox %s: UID %s %s", mailbox.address, uid, problem)
        return problems
    except (imaplib.IMAP4.abort, OSError) as exc:
        raise PollFailed(f"lost the connection to {mailbox.imap_host}: {_text(exc)}") from exc
    except imaplib.IMAP4.error as exc:  # a BAD answer: the server and we disagree
        raise PollFailed(f"{mailbox.imap_host} refused a command: {_text(exc)}") from exc
    finally:
        folder.close()


def _take(folder: "_Folder", uid: int, figures: dict) -> str:
    """Fetch, store, advance, mark and process one message; returns a problem, or "".

    A message over the size limit is not downloaded: its headers are stored, with its real
    size, and quarantined (an admin sees who sent what); it is left in the folder, unmarked."""
    mailbox = folder.mailbox
    size = folder.size(uid)
    oversized = size is not None and size > settings.MAIL_MAX_MESSAGE_BYTES
    try:
        raw = folder.fetch(uid, part="HEADER" if oversized else "")
    except _NotFetched as exc:
        # Left as it is on the server (not flagged, not moved) for a person to see. Trying
        # it again every minute would hold up every message after it.
        _advance(mailbox, folder.uidvalidity, uid)
        return f"could not be fetched ({exc}); it was left in the folder"
    figures["fetched"] += 1
    message, stored_now = intake.inbound_store(
        raw, source=Source.IMAP, mailbox=mailbox, size=size if oversized else None
    )
    figures["stored" if stored_now else "duplicates"] += 1
    _advance(mailbox, folder.uidvalidity, uid)
    if oversized:
        problem = (
            f"is larger than the {intake.size_limit()} limit: it was left in the folder "
            "(headers quarantined)"
        )
    else:
        problem = folder.mark(uid)
    # A copy stored before but never processed (a crash) is finished now, not at the sweep;
    # inbound_process takes it under a row lock, so this never races another worker.
    if stored_now or message.status == Status.RECEIVED:
        outcome = intake.inbound_process(message)
        log.info("mailbox %s: UID %s %s", mailbox.address, uid, outcome)
    return problem


class _Folder:
    """The mailbox's folder on its server, for one run: opened again if the server hangs up
    on a message (Dovecot does, on a message it cannot read)."""

    MAX_REOPENS = 3

    def __init__(self, mailbox: Mailbox, password: str):
        self.mailbox, self.password = mailbox, password
        self.name = mailbox.imap_folder or "INBOX"
        self.target = mailbox.move_to_folder if mailbox.after_ingest == AfterIngest.MOVE else ""
        self.conn: imaplib.IMAP4 | None = None
        self.uidvalidity: int | None = None
        self.capabilities: set[str] = set()
        self.reopens = 0

    def open(self) -> None:
        self.conn = _connect(self.mailbox, self.password)
        typ, data = self.conn.select(_mailbox_name(self.name))
        if typ != "OK":
            where = f"{self.name!r} on {self.mailbox.imap_host}"
            raise PollFailed(f"cannot open the folder {where}: {_text(data)}")
        self.uidvalidity = _number(self.conn.response("UIDVALIDITY")[1])
        # Those after login: imaplib keeps the ones it read before.
        typ, data = self.conn.capability()
        words = data[0].decode(errors="replace").upper().split() if typ == "OK" and data[0] else []
        self.capabilities = set(words) | set(self.conn.capabilities)

    def reopen(self) -> None:
        self.reopens += 1
        if self.reopens > self.MAX_REOPENS:
            raise PollFailed(f"{self.mailbox.imap_host} keeps closing the connection")
        before = self.uidvalidity
        self.close()
        self.open()
        if self.uidvalidity != before:
            raise PollFailed(f"the folder {self.name!r} changed while it was read")

    def close(self) -> None:
        _close(self.conn)
        self.conn = None

    def new_uids(self, last_uid: int) -> list[int]:
        typ, data = self.conn.uid("SEARCH", "UID", f"{last_uid + 1}:*")
        if typ != "OK":
            raise PollFailed(f"the server refused to search the folder: {_text(data)}")
        # "n:*" always matches the last message, even when its UID is below n.
        found = {int(uid) for chunk in data if chunk for uid in chunk.split()}
        return sorted(uid for uid in found if uid > last_uid)

    def size(self, uid: int) -> int | None:
        """The message's size as the server gives it (None when it does not say)."""
        try:
            typ, data = self.conn.uid("FETCH", str(uid), "(RFC822.SIZE)")
        except (imaplib.IMAP4.abort, OSError):
            self.reopen()  # the fetch that follows says what is wrong with the message
            return None
        for item in data if typ == "OK" else []:
            found = re.search(rb"RFC822\.SIZE (\d+)", item if isinstance(item, bytes) else b"")
            if found:
                return int(found.group(1))
        return None

    def fetch(self, uid: int, part: str = "") -> bytes:
        """The message (``part="HEADER"``: its headers only)."""
        try:
            return _fetch(self.conn, uid, part)
        except (imaplib.IMAP4.abort, OSError):
            # A glitch, or a message the server cannot read: once more on a new connection.
            self.reopen()
        try:
            return _fetch(self.conn, uid, part)
        except (imaplib.IMAP4.abort, OSError) as exc:
            self.reopen()  # for the next message
            raise _NotFetched(f"the server hung up on it twice: {_text(exc)}") from exc

    def mark(self, uid: int) -> str:
        """Flag the message, or move it to the target folder; returns a problem, or ""."""
        conn, uid_text = self.conn, str(uid)
        if not self.target:
            typ, data = conn.uid("STORE", uid_text, "+FLAGS.SILENT", rf"(\Seen {KEYWORD})")
            if typ != "OK":  # some servers take no keywords of their own: mark it read
                typ, data = conn.uid("STORE", uid_text, "+FLAGS.SILENT", r"(\Seen)")
            return "" if typ == "OK" else f"could not be flagged: {_text(data)}"
        target = _mailbox_name(self.target)
        if "MOVE" in self.capabilities:
            typ, data = conn.uid("MOVE", uid_text, target)
            return "" if typ == "OK" else f"could not be moved to {self.target!r}: {_text(data)}"
        typ, data = conn.uid("COPY", uid_text, target)
        if typ != "OK":
            return f"could not be copied to {self.target!r}: {_text(data)}"
        typ, data = conn.uid("STORE", uid_text, "+FLAGS.SILENT", r"(\Deleted)")
        if typ != "OK":
            return f"was copied to {self.target!r} but not removed here: {_text(data)}"
        # Without UIDPLUS, EXPUNGE would also remove what people marked deleted themselves:
        # the message then stays marked \Deleted until their mail program expunges.
        if "UIDPLUS" in self.capabilities:
            conn.uid("EXPUNGE", uid_text)
        return ""

    def ensure_target(self) -> None:
        name = _mailbox_name(self.target)
        typ, data = self.conn.list('""', name)
        if typ == "OK" and any(data):
            return
        typ, data = self.conn.create(name)
        if typ != "OK" and "ALREADYEXISTS" not in _text(data):
            raise PollFailed(f"cannot create the folder {self.target!r}: {_text(data)}")
        self.conn.subscribe(name)  # so mail programs show it


def _connect(mailbox: Mailbox, password: str) -> imaplib.IMAP4:
    host, port = mailbox.imap_host, mailbox.imap_port
    timeout = settings.MAIL_IMAP_TIMEOUT
    context = ssl.create_default_context()
    conn = None
    try:
        if mailbox.imap_ssl:
            conn = imaplib.IMAP4_SSL(host, port, ssl_context=context, timeout=timeout)
        else:
            conn = imaplib.IMAP4(host, port, timeout=timeout)
            if "STARTTLS" in conn.capabilities:
                conn.starttls(ssl_context=context)
    except ssl.SSLError as exc:
        _close(conn)
        raise PollFailed(f"no secure connection to {host}:{port}: {_text(exc)}") from exc
    except (OSError, imaplib.IMAP4.error) as exc:
        _close(conn)
        raise PollFailed(f"cannot reach {host}:{port}: {_text(exc)}") from exc
    try:
        _login(conn, mailbox.imap_username, password)
    except (imaplib.IMAP4.error, OSError) as exc:
        _close(conn)
        raise PollFailed(
            f"cannot log in to {host} as {mailbox.imap_username}: {_text(exc)}"
        ) from exc
    return conn


def _login(conn: imaplib.IMAP4, username: str, password: str) -> None:
    if (username + password).isascii():
        conn.login(username, password)
    elif "AUTH=PLAIN" in conn.capabilities:
        # LOGIN takes ASCII only; SASL PLAIN carries UTF-8 (RFC 4616).
        conn.authenticate("PLAIN", lambda _: f"\0{username}\0{password}".encode())
    else:
        raise imaplib.IMAP4.error("the server offers no way to log in with non-ASCII characters")


def _close(conn: imaplib.IMAP4 | None) -> None:
    if conn is None:
        return
    # A connection that is gone already has nothing left to say: only its socket to close.
    with suppress(imaplib.IMAP4.error, OSError):
        conn.logout()
    with suppress(OSError):
        conn.shutdown()


def _restart(mailbox: Mailbox, uidvalidity: int | None) -> None:
    """UIDs of the old UIDVALIDITY mean nothing now: read the folder again from the start
    (the copies already stored are recognised by their sha256)."""
    if mailbox.imap_uidvalidity is not None:
        log.warning(
            "mailbox %s: UIDVALIDITY of %r changed from %s to %s; reading it again",
            *(mailbox.address, mailbox.imap_folder, mailbox.imap_uidvalidity, uidvalidity),
        )
    Mailbox.objects.filter(pk=mailbox.pk).update(imap_uidvalidity=uidvalidity, imap_last_uid=0)
    mailbox.imap_uidvalidity, mailbox.imap_last_uid = uidvalidity, 0


def _advance(mailbox: Mailbox, uidvalidity: int | None, uid: int) -> None:
    # Never backwards, and only within the UIDVALIDITY this run read (a run that overlapped,
    # or a folder that changed meanwhile, must not move the mark for another one).
    Mailbox.objects.filter(
        pk=mailbox.pk, imap_uidvalidity=uidvalidity, imap_last_uid__lt=uid
    ).update(imap_last_uid=uid)
    mailbox.imap_last_uid = max(mailbox.imap_last_uid, uid)


def _fetch(conn: imaplib.IMAP4, uid: int, part: str = "") -> bytes:
    # Headers are wanted only of a message too large to take: at most their first 64 KB.
    partial = f"<0.{HEADER_BYTES}>" if part == "HEADER" else ""
    typ, data = conn.uid("FETCH", str(uid), f"(BODY.PEEK[{part}]{partial})")
    if typ != "OK":
        raise _NotFetched(_text(data))
    for item in data:
        # Untagged FETCH answers about other messages (flag changes) may come along.
        if isinstance(item, tuple) and f"BODY[{part}]".encode() in item[0]:
            said = re.search(rb"UID (\d+)", item[0])
            if said is None or int(said.group(1)) == uid:
                return item[1]
    raise _NotFetched("the server sent no message: it was deleted or moved meanwhile")


def _number(data) -> int | None:
    try:
        return int(data[0])
    except (TypeError, ValueError, IndexError):
        return None


def _text(value) -> str:
    """Words a person can read from an imaplib answer or exception."""
    if isinstance(value, BaseException):
        value = value.args[0] if len(value.args) == 1 else str(value)
    if isinstance(value, list):
        value = b" ".join(v for v in value if isinstance(v, bytes))
    if isinstance(value, bytes):
        value = value.decode(errors="replace")
    return str(value).strip() or "no reason given"


def _mailbox_name(name: str) -> str:
    """A folder name as IMAP4rev1 wants it: modified UTF-7 (RFC 3501 5.1.3), quoted."""
    encoded, pending = [], []

    def flush():
        if pending:
            utf16 = "".join(pending).encode("utf-16-be")
            encoded.append("&" + base64.b64encode(utf16).decode().rstrip("=").replace("/", ","))
            encoded.append("-")
            pending.clear()

    for char in name:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            encoded.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    text = "".join(encoded)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
