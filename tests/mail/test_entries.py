"""The ways mail comes in besides IMAP: the MTA pipe (``manage.py ingest_email``) and the HTTP
entry for providers that POST raw MIME. Both say what became of the message; neither loses it."""

import hashlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from apps.mail.models import InboundMessage, Mailbox, Source, Status
from apps.tickets.models import Ticket

from .test_intake import DESK, mail

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def pipe(raw: bytes, monkeypatch, *args) -> str:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    out = io.StringIO()
    call_command("ingest_email", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


@pytest.fixture
def mailbox(db, triage_team):
    box = Mailbox.objects.create(name="Help", address=DESK)
    box.intake_token_hash = hashlib.sha256(b"s3cret-token").hexdigest()
    box.save()
    return box


def test_the_pipe_prints_what_became_of_each_message(mailbox, monkeypatch):
    raw = mail()
    assert (
        pipe(raw, monkeypatch, "--mailbox", "Help") == f"created {Ticket.objects.get().reference}"
    )
    first = InboundMessage.objects.get()
    assert first.source == Source.PIPE
    assert first.mailbox == mailbox
    assert pipe(raw, monkeypatch) == f"duplicate {first.pk}: this message was received before"
    line = pipe(mail(Auto_Submitted="auto-replied"), monkeypatch)
    assert line.startswith("ignored ")
    assert "auto-repl" in line
    line = pipe(b"Subject: no sender\r\n\r\nhello\r\n", monkeypatch)
    assert line.startswith("quarantined ")


def test_an_unknown_mailbox_name_still_takes_the_message(mailbox, monkeypatch):
    assert pipe(mail(), monkeypatch, "--mailbox", "Nope").startswith("created ")
    assert InboundMessage.objects.get().mailbox == mailbox  # found by the To address


def test_the_pipe_exits_75_so_the_mta_retries_when_nothing_could_be_stored():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/nowhere",
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "ingest_email"],
        input=mail(),
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 75, done.stderr.decode()
    assert b"not stored, try again later" in done.stderr


def post(client, raw: bytes, token="s3cret-token"):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.post("/mail/inbound/", raw, content_type="message/rfc822", **headers)


def test_the_http_entry_takes_raw_mime_with_the_mailbox_token(client, mailbox):
    response = post(client, mail())
    assert response.status_code == 201
    body = response.json()
    assert body["stored"] is True
    assert body["outcome"].startswith("created SB-")
    message = InboundMessage.objects.get(pk=body["id"])
    assert message.source == Source.HTTP
    assert message.status == Status.CREATED

    again = post(client, bytes(message.raw))
    assert again.status_code == 200
    assert again.json()["outcome"] == f"duplicate {message.pk}"


def test_the_http_entry_refuses_without_a_valid_token_and_stores_nothing(client, mailbox):
    assert post(client, mail(), token=None).status_code == 401
    assert post(client, mail(), token="guess").status_code == 401
    assert client.get("/mail/inbound/").status_code == 405
    assert not InboundMessage.objects.exists()


def test_the_http_entry_takes_messages_larger_than_a_form(client, mailbox, settings):
    """Mail with attachments is bigger than DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB)."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    assert post(client, mail(body="x" * 5000)).status_code == 201
    settings.MAIL_MAX_MESSAGE_BYTES = 2000
    response = post(client, mail(body="y" * 5000))
    assert response.status_code == 413
    assert "limit" in response.json()["detail"]
