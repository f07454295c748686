"""Files in an S3-compatible object store (FILE_STORAGE=s3): uploads land in the bucket, and a
download is a redirect to a signed URL that expires within the minute — given only after the
same check as a local file, so whoever may not see the ticket still gets 404.

The store is moto's S3 server on 127.0.0.1, spoken to over HTTP by boto3 as AWS or MinIO would
be; the storage options are the ones config/settings/base.py builds from the environment.
"""

import runpy
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from apps.knowledge.models import Article, ArticleFile, ArticleStatus, Audience
from apps.subtasks.models import Subtask, SubtaskAttachment, SubtaskKind
from apps.tickets.models import Attachment, Ticket
from apps.tickets.services import comment_add
from tests.conftest import signed_in
from tests.factories import TicketFactory, UserFactory

moto_server = pytest.importorskip("moto.server", reason="moto[server] is in requirements/dev.txt")

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def s3_endpoint():
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def storage_settings(monkeypatch, **env) -> dict:
    """What base.py makes of these environment variables."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SECRET_KEY", "test-only-secret-key-not-for-any-real-desk-0123456789")
    base = Path(django_settings.BASE_DIR) / "config" / "settings" / "base.py"
    return runpy.run_path(str(base))


@pytest.fixture
def bucket(s3_endpoint, settings, monkeypatch):
    """A fresh private bucket, and the desk configured to keep its files there."""
    import boto3

    name = f"desk-files-{uuid.uuid4().hex[:8]}"
    credentials = {"AWS_ACCESS_KEY_ID": "desk-key", "AWS_SECRET_ACCESS_KEY": "desk-secret"}
    configured = storage_settings(
        monkeypatch,
        FILE_STORAGE="s3",
        AWS_STORAGE_BUCKET_NAME=name,
        AWS_S3_ENDPOINT_URL=s3_endpoint,
        AWS_S3_REGION_NAME="eu-central-1",
        AWS_S3_ADDRESSING_STYLE="path",
        **credentials,
    )
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="eu-central-1",
        aws_access_key_id="desk-key",
        aws_secret_access_key="desk-secret",
    )
    client.create_bucket(
        Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-central-1"}
    )
    settings.STORAGES = {**settings.STORAGES, "default": configured["STORAGES"]["default"]}
    settings.FILE_URL_EXPIRE_SECONDS = configured["FILE_URL_EXPIRE_SECONDS"]
    return client, name


def keys(bucket) -> list[str]:
    client, name = bucket
    return [item["Key"] for item in client.list_objects_v2(Bucket=name).get("Contents", [])]


def fetch(url: str):
    with urllib.request.urlopen(url, timeout=10) as answer:  # moto on 127.0.0.1
        return answer.status, answer.headers, answer.read()


@pytest.fixture
def attachment(bucket, requester_client):
    upload = SimpleUploadedFile("invoice.pdf", b"%PDF-1.4 the invoice", "application/pdf")
    response = requester_client.post(
        reverse("portal:new"),
        {"subject": "Invoice is wrong", "description": "See attached.", "attachments": [upload]},
    )
    assert response.status_code == 302
    return Ticket.objects.get().attachments.get()


def test_the_local_disk_is_the_default_and_the_bucket_is_private_with_minute_long_links(
    monkeypatch,
):
    local = storage_settings(monkeypatch)
    assert local["STORAGES"]["default"] == {
        "BACKEND": "django.core.files.storage.FileSystemStorage"
    }
    s3 = storage_settings(monkeypatch, FILE_STORAGE="s3", AWS_STORAGE_BUCKET_NAME="files")
    options = s3["STORAGES"]["default"]["OPTIONS"]
    assert s3["STORAGES"]["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert options["querystring_auth"] is True
    assert options["querystring_expire"] == 60
    assert options["default_acl"] is None  # the bucket's own policy: private
    assert options["custom_domain"] is None  # never an unsigned URL


def test_an_upload_is_stored_in_the_bucket_not_on_disk(attachment, bucket, settings):
    assert keys(bucket) == [attachment.file.name]
    assert not Path(settings.MEDIA_ROOT, attachment.file.name).exists()


def test_the_requester_is_sent_to_a_signed_url_that_expires_in_a_minute(
    attachment, requester_client
):
    response = requester_client.get(reverse("files:attachment", args=[attachment.pk]))

    assert response.status_code == 302
    url = response["Location"]
    query = parse_qs(urlsplit(url).query)
    assert query["X-Amz-Expires"] == ["60"]
    assert query["X-Amz-Signature"]
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    status, headers, body = fetch(url)
    assert (status, body) == (200, b"%PDF-1.4 the invoice")
    assert headers["Content-Disposition"] == 'attachment; filename="invoice.pdf"'
    assert headers["Content-Type"] == "application/pdf"


def test_the_agent_of_the_ticket_gets_a_signed_url_too(attachment, agent, team):
    Ticket.objects.update(team=team)
    response = signed_in(agent).get(reverse("files:attachment", args=[attachment.pk]))
    assert response.status_code == 302
    assert fetch(response["Location"])[2] == b"%PDF-1.4 the invoice"


def test_someone_who_may_not_see_the_ticket_gets_404_and_no_url(attachment, other_requester):
    response = signed_in(other_requester).get(reverse("files:attachment", args=[attachment.pk]))
    assert response.status_code == 404
    assert "Location" not in response
    assert b"X-Amz" not in response.content


def test_signed_out_visitors_are_asked_to_sign_in_not_sent_to_the_bucket(attachment):
    response = Client().get(reverse("files:attachment", args=[attachment.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_file_on_an_internal_note_stays_hidden_from_the_requester(
    bucket, requester, requester_client, agent, team
):
    ticket = TicketFactory(requester=requester, team=team)
    comment_add(
        ticket=ticket,
        author=agent,
        body="Vendor case number inside.",
        internal=True,
        attachments=[SimpleUploadedFile("vendor.txt", b"case 4411", "text/plain")],
    )
    note_file = Attachment.objects.get(ticket=ticket)

    assert requester_client.get(reverse("files:attachment", args=[note_file.pk])).status_code == 404
    assert signed_in(agent).get(reverse("files:attachment", args=[note_file.pk])).status_code == 302


def test_a_subtask_file_goes_to_its_assignee_only(bucket, requester, agent):
    collaborator = UserFactory(email="dan@example.com", full_name="Dan Data")
    ticket = TicketFactory(requester=requester)
    task = Subtask.objects.create(
        ticket=ticket,
        title="Re-import prices",
        kind=SubtaskKind.objects.get_or_create(name="Data fix")[0],
        assignee_user=collaborator,
    )
    stored = SubtaskAttachment.objects.create(
        subtask=task,
        filename="prices.csv",
        content_type="text/csv",
        size=10,
        file=ContentFile(b"sku,price\n", name="prices.csv"),
        uploaded_by=collaborator,
    )
    url = reverse("subtasks:attachment", args=[stored.pk])

    response = signed_in(collaborator).get(url)
    assert response.status_code == 302
    assert fetch(response["Location"])[2] == b"sku,price\n"
    assert signed_in(UserFactory(email="eve@example.com")).get(url).status_code == 404


def test_article_images_stream_from_the_desk_and_other_article_files_redirect(bucket, lead):
    article = Article.objects.create(
        title="Reset the printer",
        slug="reset-printer",
        audience=Audience.PUBLIC,
        status=ArticleStatus.PUBLISHED,
    )
    image, manual = (
        ArticleFile.objects.create(
            article=article,
            filename=name,
            content_type=kind,
            size=len(body),
            file=ContentFile(body, name=name),
            uploaded_by=lead,
        )
        for name, kind, body in (
            ("panel.png", "image/png", b"\x89PNG panel"),
            ("manual.pdf", "application/pdf", b"%PDF manual"),
        )
    )

    shown = Client().get(reverse("kb:file", args=[image.pk]))
    # An <img> in an article: same origin, as the Content-Security-Policy allows.
    assert shown.status_code == 200
    assert b"".join(shown.streaming_content) == b"\x89PNG panel"
    downloaded = Client().get(reverse("kb:file", args=[manual.pk]))
    assert downloaded.status_code == 302
    assert fetch(downloaded["Location"])[2] == b"%PDF manual"
