"""Polling IMAP mailboxes, against a real Dovecot: mail is stored once, processed, marked on the
server, and never lost — whatever the server, the password or a crash does.

Messages are delivered with IMAP APPEND, as another mail program would; the desk reads them
with ``mailbox_poll`` as the beat task does.
"""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection, connections

from apps.mail.imap import mailbox_claim, mailbox_poll, mailboxes_poll
from apps.mail.intake import inbound_store
from apps.mail.models import AfterIngest, InboundMessage, Mailbox, Source, Status
from apps.mail.tasks import inbound_sweep_task, mailboxes_poll_task
from apps.tickets.models import Ticket

from .imap_server import (
    PASSWORD,
    UNICODE_PASSWORD,
    UNICODE_USER,
    PrivateDovecot,
    dovecot_binary,
    email_bytes,
)

FIXTURES = Path(__file__).parent / "fixtures"


def deliver(dovecot, mailbox, subject, *, sender="rita@example.com", folder="INBOX") -> bytes:
    raw = email_bytes(sender=sender, to=mailbox.address, subject=subject, body=f"About: {subject}")
    dovecot.append(mailbox.imap_username, raw, folder)
    return raw


def poll(mailbox) -> dict:
    figures = mailbox_poll(mailbox)
    mailbox.refresh_from_db()
    return figures


def counts(figures) -> tuple[int, int, int, int]:
    return figures["fetched"], figures["stored"], figures["duplicates"], figures["errors"]


def test_new_mail_is_stored_then_processed_into_tickets(dovecot, imap_mailbox):
    deliver(dovecot, imap_mailbox, "Till 3 freezes on loyalty cards")
    deliver(dovecot, imap_mailbox, "Printer in Berlin jams", sender="oscar@example.com")

    assert counts(poll(imap_mailbox)) == (2, 2, 0, 0)

    messages = InboundMessage.objects.order_by("pk")
    assert [(m.source, m.mailbox, m.status) for m in messages] == [
        (Source.IMAP, imap_mailbox, Status.CREATED),
        (Source.IMAP, imap_mailbox, Status.CREATED),
    ]
    assert [m.ticket.subject for m in messages] == [
        "Till 3 freezes on loyalty cards",
        "Printer in Berlin jams",
    ]
    assert Ticket.objects.count() == 2
    assert imap_mailbox.imap_last_uid == 2
    assert imap_mailbox.imap_uidvalidity == dovecot.uidvalidity(imap_mailbox.imap_username)
    assert imap_mailbox.last_polled_at is not None
    assert imap_mailbox.last_error == ""


def test_real_world_mail_all_comes_in_and_is_processed(dovecot, imap_mailbox):
    """Every fixture e-mail (replies, bounces, auto-replies, broken MIME, a PNG that is no
    e-mail at all) is stored as the server gives it and processed: none is lost or left."""
    fixtures = sorted(FIXTURES.glob("*.eml"))
    for path in fixtures:
        dovecot.append(imap_mailbox.imap_username, path.read_bytes())

    assert counts(poll(imap_mailbox)) == (len(fixtures), len(fixtures), 0, 0)

    assert not InboundMessage.objects.filter(status=Status.RECEIVED).exists()
    # Taken oldest first, so in the order they were delivered.
    stored = InboundMessage.objects.order_by("pk")
    by_file = dict(zip((path.stem for path in fixtures), stored, strict=True))
    assert by_file["plain_new"].status == Status.CREATED
    assert by_file["auto_reply_rfc3834"].status == Status.IGNORED
    assert by_file["garbage"].status == Status.QUARANTINED


def test_a_second_poll_reads_nothing_again_and_takes_only_what_is_new(dovecot, imap_mailbox):
    deliver(dovecot, imap_mailbox, "First")
    poll(imap_mailbox)

    assert counts(poll(imap_mailbox)) == (0, 0, 0, 0)

    deliver(dovecot, imap_mailbox, "Second")
    assert counts(poll(imap_mailbox)) == (1, 1, 0, 0)
    assert imap_mailbox.imap_last_uid == 2
    assert InboundMessage.objects.count() == 2


def test_mail_taken_is_marked_read_and_flagged_for_people_using_the_mailbox(dovecot, imap_mailbox):
    deliver(dovecot, imap_mailbox, "First")
    deliver(dovecot, imap_mailbox, "Second")

    poll(imap_mailbox)

    flags = dovecot.messages(imap_mailbox.imap_username)
    assert sorted(flags) == [1, 2]
    assert all({"\\Seen", "$Switchboard"} <= found for found in flags.values())


@pytest.mark.parametrize(
    ("folder", "on_the_server"),
    [("Switchboard", "Switchboard"), ("Gelöst", "Gel&APY-st")],  # modified UTF-7
)
def test_move_mode_moves_mail_to_its_folder_and_makes_it_first(
    dovecot, imap_mailbox, folder, on_the_server
):
    imap_mailbox.after_ingest, imap_mailbox.move_to_folder = AfterIngest.MOVE, folder
    imap_mailbox.save()
    user = imap_mailbox.imap_username
    deliver(dovecot, imap_mailbox, "First")
    deliver(dovecot, imap_mailbox, "Second")
    assert on_the_server not in dovecot.folders(user)

    assert counts(poll(imap_mailbox)) == (2, 2, 0, 0)

    assert on_the_server in dovecot.folders(user)
    assert dovecot.messages(user) == {}  # INBOX is empty
    assert len(dovecot.messages(user, on_the_server)) == 2
    # The folder is there now: the next message goes the same way.
    deliver(dovecot, imap_mailbox, "Third")
    assert counts(poll(imap_mailbox)) == (1, 1, 0, 0)
    assert len(dovecot.messages(user, on_the_server)) == 3
    assert imap_mailbox.last_error == ""


@pytest.fixture(scope="module")
def dovecot_without_move():
    """A server that does not offer MOVE (as many older ones): copy, delete, UID EXPUNGE."""
    binary = dovecot_binary()
    if binary is None:
        pytest.skip("dovecot is not installed: apt-get install dovecot-imapd (.ci/run does)")
    server = PrivateDovecot(binary, capability="IMAP4rev1 LITERAL+ UIDPLUS")
    try:
        yield server.start()
    finally:
        server.stop()


def test_without_the_move_capability_mail_is_copied_then_expunged(
    dovecot_without_move, triage_team
):
    server = dovecot_without_move
    username = server.add_user()
    mailbox = Mailbox(
        name="Old server",
        address=username,
        imap_host="127.0.0.1",
        imap_port=server.port,
        imap_ssl=False,
        imap_username=username,
        after_ingest=AfterIngest.MOVE,
        move_to_folder="Done",
    )
    mailbox.set_imap_password(PASSWORD)
    mailbox.save()
    deliver(server, mailbox, "First")
    deliver(server, mailbox, "Second")

    assert counts(poll(mailbox)) == (2, 2, 0, 0)

    assert server.messages(username) == {}
    assert len(server.messages(username, "Done")) == 2
    assert mailbox.last_error == ""


def test_a_new_uidvalidity_reads_the_folder_again_without_storing_twice(dovecot, imap_mailbox):
    imap_mailbox.imap_folder = "Support"
    imap_mailbox.save()
    user = imap_mailbox.imap_username
    first = deliver(dovecot, imap_mailbox, "First", folder="Support")
    second = deliver(dovecot, imap_mailbox, "Second", folder="Support")
    poll(imap_mailbox)
    before = imap_mailbox.imap_uidvalidity

    # The folder is rebuilt (a migration, a restore): same mail, new UIDs, one more message.
    dovecot.recreate(user, "Support")
    for raw in (first, second):
        dovecot.append(user, raw, "Support")
    deliver(dovecot, imap_mailbox, "Third", folder="Support")

    assert counts(poll(imap_mailbox)) == (3, 1, 2, 0)
    assert imap_mailbox.imap_uidvalidity == dovecot.uidvalidity(user, "Support") != before
    assert imap_mailbox.imap_last_uid == 3
    assert InboundMessage.objects.count() == Ticket.objects.count() == 3


def test_a_wrong_password_is_reported_and_the_mail_waits_for_the_right_one(dovecot, imap_mailbox):
    user = imap_mailbox.imap_username
    deliver(dovecot, imap_mailbox, "Waiting")
    imap_mailbox.set_imap_password("not the password")
    imap_mailbox.save()

    figures = poll(imap_mailbox)

    assert figures["failed"]
    assert counts(figures) == (0, 0, 0, 0)
    assert imap_mailbox.last_error == (
        f"cannot log in to 127.0.0.1 as {user}: [AUTHENTICATIONFAILED] Authentication failed."
    )
    assert imap_mailbox.last_polled_at is None
    assert not InboundMessage.objects.exists()
    assert "\\Seen" not in dovecot.messages(user)[1]

    imap_mailbox.set_imap_password(PASSWORD)
    imap_mailbox.save()
    assert counts(poll(imap_mailbox)) == (1, 1, 0, 0)
    assert imap_mailbox.last_error == ""
    assert imap_mailbox.last_polled_at is not None


def test_a_password_with_non_ascii_characters_logs_in(dovecot, imap_mailbox):
    # IMAP LOGIN carries ASCII only: such a password goes by AUTHENTICATE PLAIN (UTF-8).
    imap_mailbox.imap_username = imap_mailbox.address = UNICODE_USER
    imap_mailbox.set_imap_password(UNICODE_PASSWORD)
    imap_mailbox.save()
    dovecot.append(UNICODE_USER, email_bytes(to=UNICODE_USER, subject="Hello", body="Hi."))

    assert counts(poll(imap_mailbox)) == (1, 1, 0, 0)
    assert imap_mailbox.last_error == ""


def test_a_server_that_cannot_be_reached_is_reported(imap_mailbox):
    imap_mailbox.imap_port = PrivateDovecot.unused_port()
    imap_mailbox.save()

    assert poll(imap_mailbox)["failed"]

    assert imap_mailbox.last_error.startswith(f"cannot reach 127.0.0.1:{imap_mailbox.imap_port}: ")
    assert "refused" in imap_mailbox.last_error


def test_a_folder_that_does_not_exist_is_reported(imap_mailbox):
    imap_mailbox.imap_folder = "Nowhere"
    imap_mailbox.save()

    assert poll(imap_mailbox)["failed"]

    assert imap_mailbox.last_error.startswith("cannot open the folder 'Nowhere' on 127.0.0.1: ")


def test_a_password_sealed_under_another_key_asks_to_be_entered_again(
    dovecot, imap_mailbox, settings
):
    deliver(dovecot, imap_mailbox, "Waiting")
    settings.CREDENTIALS_KEY = "a rotated key"

    assert poll(imap_mailbox)["failed"]

    assert imap_mailbox.last_error == (
        "the stored password cannot be read (the key changed): enter it again"
    )
    assert not InboundMessage.objects.exists()


def test_a_message_the_server_cannot_read_does_not_hold_up_the_others(dovecot, imap_mailbox):
    user = imap_mailbox.imap_username
    for subject in ("Before", "Damaged", "After"):
        deliver(dovecot, imap_mailbox, subject)
    dovecot.make_unreadable(user, b"Subject: Damaged")

    assert counts(poll(imap_mailbox)) == (2, 2, 0, 1)

    assert sorted(InboundMessage.objects.values_list("subject", flat=True)) == ["After", "Before"]
    assert imap_mailbox.last_error.startswith("UID 2 could not be fetched (")
    assert imap_mailbox.last_error.endswith("it was left in the folder")
    flags = dovecot.messages(user)
    assert "\\Seen" not in flags[2]  # left for a person to see
    assert "\\Seen" in flags[3]
    # Not tried again and again: the next poll has nothing to do, and says all is well.
    assert counts(poll(imap_mailbox)) == (0, 0, 0, 0)
    assert imap_mailbox.last_error == ""


def test_a_message_over_the_size_limit_is_not_downloaded_but_quarantined_by_its_headers(
    dovecot, imap_mailbox, settings
):
    settings.MAIL_MAX_MESSAGE_BYTES = 4000
    user = imap_mailbox.imap_username
    deliver(dovecot, imap_mailbox, "Before")
    huge = email_bytes(
        sender="oscar@example.com", to=imap_mailbox.address, subject="Scans", body="x" * 9000
    )
    dovecot.append(user, huge)
    deliver(dovecot, imap_mailbox, "After")

    assert counts(poll(imap_mailbox)) == (3, 3, 0, 1)

    kept = InboundMessage.objects.get(subject="Scans")
    assert kept.status == Status.QUARANTINED
    assert kept.from_address == "oscar@example.com"
    assert kept.size == len(huge)
    assert len(bytes(kept.raw)) < 2000  # the headers only: the body was never downloaded
    assert "larger than the 3.9 KB limit" in kept.outcome
    assert Ticket.objects.filter(subject__in=["Before", "After"]).count() == 2
    assert not Ticket.objects.filter(subject="Scans").exists()
    assert imap_mailbox.last_error.startswith("UID 2 is larger than the 3.9 KB limit")
    flags = dovecot.messages(user)
    assert "\\Seen" not in flags[2]  # left for a person to see
    assert "\\Seen" in flags[3]
    # Not downloaded again by the next run.
    assert counts(poll(imap_mailbox)) == (0, 0, 0, 0)


def test_of_an_oversized_message_with_endless_headers_only_their_first_64_kb_are_taken(
    dovecot, imap_mailbox, settings
):
    settings.MAIL_MAX_MESSAGE_BYTES = 4000
    filler = "".join(f"X-Filler-{n}: {'x' * 60}\r\n" for n in range(3000))  # about 220 KB
    huge = email_bytes(
        sender="oscar@example.com", to=imap_mailbox.address, subject="Scans", body="x"
    )
    dovecot.append(imap_mailbox.imap_username, filler.encode() + huge)

    assert counts(poll(imap_mailbox)) == (1, 1, 0, 1)

    kept = InboundMessage.objects.get()
    assert kept.status == Status.QUARANTINED
    assert len(bytes(kept.raw)) <= 64 * 1024 < kept.size


def test_reading_the_folder_again_after_a_crash_stores_nothing_twice(dovecot, imap_mailbox):
    for subject in ("First", "Second"):
        deliver(dovecot, imap_mailbox, subject)
    poll(imap_mailbox)
    # A crash between storing and saving the UID: the next run starts where the last save was.
    Mailbox.objects.filter(pk=imap_mailbox.pk).update(imap_last_uid=0)
    imap_mailbox.refresh_from_db()

    assert counts(poll(imap_mailbox)) == (2, 0, 2, 0)

    assert InboundMessage.objects.count() == Ticket.objects.count() == 2
    assert imap_mailbox.imap_last_uid == 2


def test_a_message_stored_by_a_run_that_died_before_processing_is_processed_now(
    dovecot, imap_mailbox
):
    raw = deliver(dovecot, imap_mailbox, "Stored, then the worker died")
    # What the dead run did: stored it, nothing more (no UID saved, not processed).
    stored, _ = inbound_store(raw, source=Source.IMAP, mailbox=imap_mailbox)

    assert counts(poll(imap_mailbox)) == (1, 0, 1, 0)

    stored.refresh_from_db()
    assert stored.status == Status.CREATED
    assert InboundMessage.objects.count() == Ticket.objects.count() == 1


def test_a_run_takes_at_most_a_batch_oldest_first(dovecot, imap_mailbox, settings):
    settings.MAIL_IMAP_BATCH = 2
    for subject in ("One", "Two", "Three"):
        deliver(dovecot, imap_mailbox, subject)

    figures = poll(imap_mailbox)
    assert counts(figures) == (2, 2, 0, 0)
    assert figures["more"]
    assert sorted(InboundMessage.objects.values_list("subject", flat=True)) == ["One", "Two"]

    figures = poll(imap_mailbox)
    assert counts(figures) == (1, 1, 0, 0)
    assert not figures["more"]


def test_a_mailbox_another_run_is_polling_is_left_to_it(dovecot, imap_mailbox):
    deliver(dovecot, imap_mailbox, "Waiting")

    with mailbox_claim(imap_mailbox) as claimed:
        assert claimed
        figures = poll(imap_mailbox)
    assert figures["busy"]
    assert counts(figures) == (0, 0, 0, 0)
    assert not InboundMessage.objects.exists()

    assert counts(poll(imap_mailbox)) == (1, 1, 0, 0)


def test_two_runs_at_once_take_each_message_once(dovecot, imap_mailbox, transactional_db):
    for number in range(6):
        deliver(dovecot, imap_mailbox, f"Message {number}", sender=f"p{number}@example.com")

    def run():
        try:
            return mailbox_poll(Mailbox.objects.get(pk=imap_mailbox.pk))
        finally:
            connections.close_all()

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda _: run(), range(2)))

    assert sum(figures["stored"] for figures in results) == 6
    assert sum(figures["errors"] for figures in results) == 0
    assert InboundMessage.objects.count() == Ticket.objects.count() == 6


def test_every_mailbox_is_polled_and_one_failing_stops_none(dovecot, imap_mailbox):
    broken = Mailbox.objects.create(
        name="Broken", address="broken@example.com", imap_host="127.0.0.1"
    )
    broken.imap_port = PrivateDovecot.unused_port()
    broken.save()
    Mailbox.objects.create(
        name="Off", address="off@example.com", imap_host="127.0.0.1", is_active=False
    )
    Mailbox.objects.create(name="Pipe only", address="pipe@example.com")
    deliver(dovecot, imap_mailbox, "Through the good one")

    totals = mailboxes_poll()

    assert (totals["mailboxes"], totals["failed"], totals["stored"]) == (2, 1, 1)
    broken.refresh_from_db()
    assert broken.last_error.startswith("cannot reach 127.0.0.1:")


def test_the_beat_tasks_poll_and_sweep(dovecot, imap_mailbox):
    deliver(dovecot, imap_mailbox, "Through the task")

    assert mailboxes_poll_task.apply().get()["stored"] == 1
    assert isinstance(inbound_sweep_task.apply().get(), dict)
    assert mailboxes_poll_task.name == "apps.mail.tasks.mailboxes_poll_task"
    assert inbound_sweep_task.name == "apps.mail.tasks.inbound_sweep_task"


def test_the_password_is_never_stored_in_plain_text(imap_mailbox):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {Mailbox._meta.db_table} WHERE id = %s", [imap_mailbox.pk])
        row = cursor.fetchone()

    assert not any(PASSWORD in str(value) for value in row)
    assert imap_mailbox.imap_password_sealed
    assert Mailbox.objects.get(pk=imap_mailbox.pk).imap_password() == PASSWORD


@pytest.fixture
def tls_mailbox(dovecot_tls, triage_team):
    username = dovecot_tls.add_user()
    mailbox = Mailbox(
        name="Secure", address=username, imap_host="127.0.0.1", imap_username=username
    )
    mailbox.set_imap_password(PASSWORD)
    mailbox.save()
    return mailbox


@pytest.mark.parametrize("implicit_tls", [True, False], ids=["imaps", "starttls"])
def test_tls_is_used_and_the_certificate_checked(
    dovecot_tls, tls_mailbox, monkeypatch, implicit_tls
):
    tls_mailbox.imap_ssl = implicit_tls
    tls_mailbox.imap_port = dovecot_tls.tls_port if implicit_tls else dovecot_tls.port
    tls_mailbox.save()
    deliver(dovecot_tls, tls_mailbox, "Over TLS")

    # The self-signed certificate is nobody's: refused, and said so.
    assert poll(tls_mailbox)["failed"]
    assert tls_mailbox.last_error.startswith(
        f"no secure connection to 127.0.0.1:{tls_mailbox.imap_port}: "
    )
    assert "CERTIFICATE_VERIFY_FAILED" in tls_mailbox.last_error

    # Once trusted (as a company CA would be), the mail comes in.
    monkeypatch.setenv("SSL_CERT_FILE", str(dovecot_tls.cert_file))
    assert counts(poll(tls_mailbox)) == (1, 1, 0, 0)
    assert tls_mailbox.last_error == ""
