"""E-mail in the admin: a mailbox's password never shows again; the quarantine is retried and
its original downloaded; an intake token is shown once and works."""

import re

import pytest
from django.contrib.messages import get_messages

from apps.mail.intake import inbound_process, inbound_store
from apps.mail.models import InboundMessage, Mailbox, Source, Status
from apps.tickets.models import Ticket

from .test_intake import DESK, mail

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_the_imap_password_is_sealed_and_never_shown_again(admin_client, triage_team):
    form = {
        "name": "Help",
        "address": DESK,
        "is_active": "on",
        "unknown_senders": "anyone",
        "imap_host": "imap.example.com",
        "imap_port": "993",
        "imap_ssl": "on",
        "imap_username": "help",
        "imap_password": "correct horse battery",
        "imap_folder": "INBOX",
        "after_ingest": "flag",
        "move_to_folder": "Switchboard",
    }
    response = admin_client.post("/admin/mail/mailbox/add/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    mailbox = Mailbox.objects.get()
    assert "correct horse" not in mailbox.imap_password_sealed
    assert mailbox.imap_password() == "correct horse battery"

    page = admin_client.get(f"/admin/mail/mailbox/{mailbox.pk}/change/").content.decode()
    assert "correct horse" not in page
    assert "stored (sealed)" in page
    admin_client.post(f"/admin/mail/mailbox/{mailbox.pk}/change/", {**form, "imap_password": ""})
    mailbox.refresh_from_db()
    assert mailbox.imap_password() == "correct horse battery"  # empty keeps it


def test_an_admin_retries_the_quarantine_and_downloads_the_original(
    admin_client, triage_team, lookups
):
    category = lookups["category"]
    category.is_active = False
    category.save()
    Mailbox.objects.create(name="Help", address=DESK, default_category=category)
    raw = mail()
    message, _ = inbound_store(raw, source=Source.PIPE)
    inbound_process(message)
    message.refresh_from_db()
    assert message.status == Status.QUARANTINED

    listing = admin_client.get("/admin/mail/inboundmessage/?status=quarantined").content.decode()
    assert "Unknown category" in listing
    original = admin_client.get(f"/mail/messages/{message.pk}/original.eml")
    assert original.status_code == 200
    assert original.content == raw
    assert original["Content-Type"] == "message/rfc822"

    category.is_active = True
    category.save()
    response = admin_client.post(
        "/admin/mail/inboundmessage/",
        {"action": "retry", "_selected_action": [message.pk]},
        follow=True,
    )
    ticket = Ticket.objects.get()
    assert f"created {ticket.reference}" in [str(m) for m in get_messages(response.wsgi_request)]
    assert admin_client.post(f"/admin/mail/inboundmessage/{message.pk}/delete/").status_code == 403
    assert InboundMessage.objects.filter(pk=message.pk).exists()


def test_an_intake_token_is_shown_once_and_works(admin_client, client, triage_team):
    mailbox = Mailbox.objects.create(name="Help", address=DESK)
    response = admin_client.post(
        "/admin/mail/mailbox/",
        {"action": "issue_intake_token", "_selected_action": [mailbox.pk]},
        follow=True,
    )
    [notice] = [str(m) for m in get_messages(response.wsgi_request)]
    token = re.search(r"Bearer (\S+)”", notice).group(1)
    mailbox.refresh_from_db()
    assert token not in mailbox.intake_token_hash
    admin_client.logout()
    posted = client.post(
        "/mail/inbound/",
        mail(),
        content_type="message/rfc822",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert posted.status_code == 201
