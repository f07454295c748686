"""Attachments through the web: limits refuse clearly, downloads only for those who may see them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.tickets.models import Attachment, Comment, Ticket
from apps.tickets.services import comment_add, ticket_create, ticket_update
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


def upload(name="screenshot.png", content=b"\x89PNG fake image bytes"):
    return SimpleUploadedFile(name, content, content_type="image/png")


def new_request(client, *files):
    return client.post(
        reverse("portal:new"),
        {
            "subject": "Error on checkout",
            "description": "See the screenshot.",
            "attachments": files,
        },
    )


def download(client, attachment):
    return client.get(reverse("files:attachment", args=[attachment.pk]))


def test_files_sent_with_a_new_request_are_stored_and_downloadable(requester_client):
    response = new_request(requester_client, upload("one.png"), upload("two.pdf", b"%PDF-1.4"))

    assert response.status_code == 302
    ticket = Ticket.objects.get()
    one, two = ticket.attachments.order_by("filename")
    assert (one.filename, two.filename) == ("one.png", "two.pdf")
    page = requester_client.get(response["Location"]).content.decode()
    assert reverse("files:attachment", args=[one.pk]) in page

    got = download(requester_client, one)
    assert got.status_code == 200
    assert b"".join(got.streaming_content) == b"\x89PNG fake image bytes"
    assert got["Content-Disposition"].startswith("attachment;")
    assert got["X-Content-Type-Options"] == "nosniff"
    assert got["Content-Type"] == "image/png"


def test_a_file_over_the_size_limit_is_refused_and_nothing_is_saved(requester_client, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024 * 1024
    big = upload("huge.png", b"x" * (1024 * 1024 + 1))

    response = new_request(requester_client, upload("ok.png"), big)

    assert response.status_code == 400
    assert (
        "“huge.png” is larger than the 1 MB limit."
        in response.context["form"].errors["attachments"]
    )
    assert not Ticket.objects.exists()
    assert not Attachment.objects.exists()


def test_a_file_type_we_do_not_accept_is_refused_on_a_reply(requester, requester_client):
    ticket = ticket_create(requester=requester, subject="Help", description="Please.")

    response = requester_client.post(
        reverse("portal:reply", args=[ticket.reference]),
        {"body": "Here is the tool", "attachments": [upload("fixer.exe", b"MZ\x90\x00")]},
    )

    assert response.status_code == 400
    assert "this type of file cannot be attached" in response.content.decode()
    assert not Comment.objects.exists()
    assert not Attachment.objects.exists()


def test_too_many_files_are_refused(requester_client, settings):
    settings.ATTACHMENT_MAX_PER_MESSAGE = 2

    response = new_request(requester_client, upload("a.png"), upload("b.png"), upload("c.png"))

    assert "At most 2 files per message." in response.context["form"].errors["attachments"]
    assert not Ticket.objects.exists()


def test_an_internal_notes_file_is_for_agents_only(requester, agent, team, requester_client):
    ticket = ticket_create(requester=requester, subject="Payroll", description="Wrong amount.")
    ticket_update(ticket=ticket, actor=None, data={"team": team})
    agent_client = signed_in(agent)
    agent_client.post(
        reverse("workspace:reply", args=[ticket.reference]),
        {"visibility": "internal", "body": "Payslip attached", "attachments": [upload("slip.pdf")]},
    )
    note_file = Attachment.objects.get()
    assert note_file.is_internal

    requester_page = requester_client.get(reverse("portal:ticket", args=[ticket.reference]))

    assert "slip.pdf" not in requester_page.content.decode()
    assert download(requester_client, note_file).status_code == 404
    assert download(agent_client, note_file).status_code == 200


def test_nobody_else_can_download_a_requesters_file(
    requester, other_requester, other_agent, requester_client
):
    ticket = ticket_create(
        requester=requester, subject="ID card", description="Photo.", attachments=[upload()]
    )
    comment_add(ticket=ticket, author=requester, body="And another", attachments=[upload("b.png")])

    for person in (other_requester, other_agent):
        client = signed_in(person)
        for attachment in Attachment.objects.all():
            assert download(client, attachment).status_code == 404
    assert download(requester_client, Attachment.objects.get(filename="b.png")).status_code == 200


def test_a_missing_file_id_is_a_404(requester_client):
    assert requester_client.get(reverse("files:attachment", args=[999999])).status_code == 404
