"""Files through the API: uploaded within the limits, listed only to people who may see them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.tickets.services import comment_add

from .api_support import api_as, queued_ticket, tickets_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(requester, team):
    return queued_ticket(requester, team)


def upload(name: str, content: bytes = b"receipt printer log\n") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_a_requester_attaches_files_and_gets_download_links(ticket, requester):
    response = api_as(requester).post(
        tickets_url(ticket, "attachments"),
        {"files": [upload("printer.log.txt"), upload("photo.png", b"\x89PNG....")]},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    files = response.json()
    assert [(f["filename"], f["content_type"]) for f in files] == [
        ("printer.log.txt", "text/plain"),
        ("photo.png", "image/png"),
    ]
    assert files[0]["url"] == f"http://testserver/files/{files[0]['id']}/"
    assert ticket.events.filter(kind="attached").count() == 1
    listed = api_as(requester).get(tickets_url(ticket, "attachments")).json()
    assert [f["id"] for f in listed] == [f["id"] for f in files]


def test_a_file_over_the_size_limit_is_refused_with_the_message(ticket, requester, settings):
    settings.ATTACHMENT_MAX_BYTES = 2 * 1024 * 1024
    response = api_as(requester).post(
        tickets_url(ticket, "attachments"),
        {"files": [upload("dump.txt", b"x" * (2 * 1024 * 1024 + 1))]},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json() == {"files": ["“dump.txt” is larger than the 2 MB limit."]}
    assert not ticket.attachments.exists()


def test_forbidden_types_empty_files_and_too_many_files_are_refused(ticket, requester, settings):
    settings.ATTACHMENT_MAX_PER_MESSAGE = 2
    client = api_as(requester)
    url = tickets_url(ticket, "attachments")
    exe = client.post(url, {"files": [upload("setup.exe")]}, format="multipart")
    empty = client.post(url, {"files": [upload("empty.txt", b"")]}, format="multipart")
    many = client.post(
        url, {"files": [upload(f"log{n}.txt") for n in range(3)]}, format="multipart"
    )
    nothing = client.post(url, {}, format="multipart")
    assert exe.json() == {"files": ["“setup.exe”: this type of file cannot be attached."]}
    assert empty.json() == {"files": ["“empty.txt” is empty."]}
    assert many.json() == {"files": ["At most 2 files per message."]}
    assert list(nothing.json()) == ["files"]
    assert {exe.status_code, empty.status_code, many.status_code, nothing.status_code} == {400}
    assert not ticket.attachments.exists()


def test_files_on_internal_notes_are_listed_to_agents_only(ticket, agent, requester):
    comment_add(
        ticket=ticket,
        author=agent,
        body="Their config, for the record.",
        internal=True,
        attachments=[upload("store-config.json", b"{}")],
    )
    as_agent = api_as(agent).get(tickets_url(ticket, "attachments")).json()
    as_requester = api_as(requester).get(tickets_url(ticket, "attachments")).json()
    assert [f["filename"] for f in as_agent] == ["store-config.json"]
    assert as_requester == []
    thread = api_as(requester).get(tickets_url(ticket, "comments")).json()["results"]
    assert thread == []


def test_strangers_cannot_list_or_add_files(ticket, other_requester):
    client = api_as(other_requester)
    assert client.get(tickets_url(ticket, "attachments")).status_code == 404
    posted = client.post(
        tickets_url(ticket, "attachments"), {"files": [upload("a.txt")]}, format="multipart"
    )
    assert posted.status_code == 404
    assert not ticket.attachments.exists()


def test_the_download_link_serves_the_file_to_those_who_may_see_it(
    ticket, requester, other_requester
):
    uploaded = api_as(requester).post(
        tickets_url(ticket, "attachments"),
        {"files": [upload("till.log.txt", b"ERROR 42 printer offline\n")]},
        format="multipart",
    )
    url = uploaded.json()[0]["url"].removeprefix("http://testserver")
    download = api_as(requester).get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content if download.streaming else [download.content]) == (
        b"ERROR 42 printer offline\n"
    )
    assert api_as(other_requester).get(url).status_code == 404
