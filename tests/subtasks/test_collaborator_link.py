"""The assignee's e-mailed link: opens their task and nothing else, dies when revoked or old."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from apps.subtasks.models import Status, Subtask
from apps.subtasks.services import subtask_create, subtask_link_revoke
from apps.tickets.models import TicketEvent

from .conftest import link_from_mail


@pytest.fixture
def task(ticket, agent, kinds, collaborator, reply, note, django_capture_on_commit_callbacks):
    """Dan is asked for a data fix; the agent shares the description and one public reply."""
    with django_capture_on_commit_callbacks(execute=True):
        return subtask_create(
            ticket=ticket,
            actor=agent,
            title="Re-import the skipped price file",
            kind=kinds["Data fix"],
            instructions="Re-run the import for store 112.",
            assignee_user=collaborator,
            due_date=datetime.date(2031, 3, 14),
            shared_comment_ids=[reply.pk],
        )


def test_the_assignee_gets_one_e_mail_with_a_link_that_opens_the_task(task, collaborator):
    sent = [m for m in mail.outbox if collaborator.email in m.to]
    assert len(sent) == 1
    assert "Re-import the skipped price file" in sent[0].subject
    client = Client()
    response = client.get(link_from_mail(collaborator.email), follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Re-import the skipped price file" in page
    assert "Re-run the import for store 112." in page
    assert "14 March 2031" in page
    assert "About 300 labels" in page  # shared description
    assert "We found the cause" in page  # the shared reply
    assert "SECRET import job" not in page  # internal note, not shared
    assert "Done" in page
    assert "Won't do" in page


def test_internal_notes_show_only_when_explicitly_shared(task, note, collaborator, agent):
    from apps.subtasks.services import subtask_update

    subtask_update(subtask=task, actor=agent, data={"shared_comment_ids": [note.pk]})
    client = Client()
    page = client.get(link_from_mail(collaborator.email), follow=True).content.decode()
    assert "SECRET import job" in page
    assert "We found the cause" not in page


def test_unshared_description_is_not_shown(task, agent, collaborator):
    from apps.subtasks.services import subtask_update

    subtask_update(subtask=task, actor=agent, data={"share_description": False})
    page = Client().get(link_from_mail(collaborator.email), follow=True).content.decode()
    assert "About 300 labels" not in page


def test_a_tampered_link_shows_a_clear_page_and_no_data(task, collaborator):
    path = link_from_mail(collaborator.email)
    tampered = path[:-6] + ("A" if path[-6] != "A" else "B") + path[-5:]
    response = Client().get(tampered)
    assert response.status_code == 400
    page = response.content.decode()
    assert "This link cannot be used" in page
    assert "Re-import" not in page
    assert "store 112" not in page


def test_an_expired_link_says_so_and_sends_a_fresh_one(
    task, collaborator, settings, django_capture_on_commit_callbacks
):
    path = link_from_mail(collaborator.email)
    client = Client()
    later = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(
        seconds=settings.SUBTASK_LINK_MAX_AGE + 60
    )
    with time_machine.travel(later):
        response = client.get(path)
        assert response.status_code == 410
        page = response.content.decode()
        assert "This link has expired" in page
        assert "Re-import" not in page
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("subtasks:link-renew", args=[path.split("/")[-2]]))
        assert [m.to for m in mail.outbox] == [[collaborator.email]]
        fresh = link_from_mail(collaborator.email)
        assert fresh != path
        assert client.get(fresh, follow=True).status_code == 200


def test_a_renew_request_for_a_forged_link_sends_nothing(task):
    mail.outbox.clear()
    response = Client().post(reverse("subtasks:link-renew", args=["forged:token"]))
    assert response.status_code == 200
    assert mail.outbox == []


def test_a_revoked_link_and_the_session_it_opened_stop_working(
    task, collaborator, agent, django_capture_on_commit_callbacks
):
    old = link_from_mail(collaborator.email)
    browser = Client()
    assert browser.get(old, follow=True).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        subtask_link_revoke(subtask=task, actor=agent)
    response = Client().get(old)
    assert response.status_code == 400
    assert "Re-import" not in response.content.decode()
    # The browser that opened the old link is sent to sign in, not shown the task.
    after = browser.get(reverse("subtasks:task", args=[task.pk]))
    assert after.status_code == 302
    assert "/accounts/sign-in/" in after["Location"]
    assert Client().get(link_from_mail(collaborator.email), follow=True).status_code == 200


def test_reassigning_kills_the_first_persons_link(task, collaborator, other_collaborator, agent):
    from apps.subtasks.services import subtask_update

    old = link_from_mail(collaborator.email)
    subtask_update(subtask=task, actor=agent, data={"assignee_user": other_collaborator})
    assert Client().get(old).status_code == 400


def test_a_collaborator_cannot_open_someone_elses_task(
    task, ticket, agent, kinds, other_collaborator, collaborator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        other = subtask_create(
            ticket=ticket,
            actor=agent,
            title="Olga's workaround",
            kind=kinds["Workaround"],
            assignee_user=other_collaborator,
        )
    client = Client()
    client.get(link_from_mail(collaborator.email))
    assert client.get(reverse("subtasks:task", args=[other.pk])).status_code == 404
    assert (
        client.post(reverse("subtasks:finish", args=[other.pk]), {"status": "done"}).status_code
        == 404
    )
    mine = client.get(reverse("subtasks:mine")).content.decode()
    assert "Re-import the skipped price file" in mine
    assert "Olga's workaround" not in mine
    # Nor the ticket itself: the link session is not a sign-in.
    assert client.get(reverse("workspace:ticket", args=[ticket.reference])).status_code == 302


def test_completing_twice_changes_nothing_the_second_time(task, collaborator):
    client = Client()
    client.get(link_from_mail(collaborator.email))
    url = reverse("subtasks:finish", args=[task.pk])
    first = client.post(url, {"status": "done", "note": "Imported 312 prices."}, follow=True)
    assert "marked as done" in first.content.decode()
    second = client.post(url, {"status": "wont_do", "note": "second tab"}, follow=True)
    assert "Nothing changed" in second.content.decode()
    task.refresh_from_db()
    assert task.status == Status.DONE
    assert task.result_note == "Imported 312 prices."
    assert task.completed_by == collaborator
    assert TicketEvent.objects.filter(ticket=task.ticket, kind__startswith="subtask_d").count() == 1


def test_wont_do_needs_a_reason(task, collaborator):
    client = Client()
    client.get(link_from_mail(collaborator.email))
    response = client.post(
        reverse("subtasks:finish", args=[task.pk]), {"status": "wont_do"}, follow=True
    )
    assert "Say why this will not be done." in response.content.decode()
    assert Subtask.objects.get(pk=task.pk).status == Status.OPEN


def test_the_collaborator_comments_and_attaches_a_file(task, collaborator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = Client()
    client.get(link_from_mail(collaborator.email))
    upload = SimpleUploadedFile("export.csv", b"sku,price\n1,9.99\n")
    client.post(
        reverse("subtasks:comment", args=[task.pk]),
        {"body": "Which file name exactly?", "files": [upload]},
    )
    page = client.get(reverse("subtasks:task", args=[task.pk])).content.decode()
    assert "Which file name exactly?" in page
    assert "export.csv" in page
    attachment = task.attachments.get()
    download = client.get(reverse("subtasks:attachment", args=[attachment.pk]))
    assert b"".join(download.streaming_content) == b"sku,price\n1,9.99\n"
    assert Client().get(reverse("subtasks:attachment", args=[attachment.pk])).status_code == 302
