"""A subtask's thread runs both ways: the collaborator's messages and files reach support (the
ticket page, its history, the APIs, a notice and an e-mail), and support's answer reaches the
collaborator (their task page and an e-mail with their link). Internal notes stay inside."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from apps.core.models import OutboxMessage
from apps.subtasks.models import Subtask, SubtaskComment
from apps.subtasks.services import subtask_comment_add, subtask_create
from apps.tickets.models import Ticket, TicketEvent
from apps.tickets.services import ticket_update
from apps.tickets.tiers.models import Notification
from tests.conftest import signed_in

from .conftest import link_from_mail


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def task(ticket, agent, kinds, collaborator, reply, note, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return subtask_create(
            ticket=ticket,
            actor=agent,
            title="Re-import the skipped price file",
            kind=kinds["Data fix"],
            assignee_user=collaborator,
            shared_comment_ids=[reply.pk],
        )


@pytest.fixture
def dan(task, collaborator) -> Client:
    """Dan's browser, opened from the e-mailed link."""
    client = Client()
    client.get(link_from_mail(collaborator.email))
    return client


def _mails(kind: str, to: str) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(kind=kind, to=to).order_by("pk"))


# --- the collaborator's voice reaches support --------------------------------------------


def test_a_message_and_file_from_the_task_page_reach_the_ticket_page_and_its_assignee(
    ticket, task, dan, agent, agent_client, collaborator
):
    upload = SimpleUploadedFile("export.csv", b"sku,price\n1,9.99\n")
    dan.post(
        reverse("subtasks:comment", args=[task.pk]),
        {"body": "The file for store 112 has 312 rows, not 300.", "files": [upload]},
    )

    page = agent_client.get(reverse("workspace:ticket", args=[ticket.reference])).content.decode()
    panel = page[page.index('id="subtasks-panel"') :]
    assert "The file for store 112 has 312 rows, not 300." in panel  # the thread in the panel
    assert "export.csv" in panel
    history = page[page.index('id="history"') :]
    assert "wrote on subtask “" in history
    assert "The file for store 112 has 312 rows, not 300." in history  # with its text
    assert "export.csv" in history

    notice = Notification.objects.get(user=agent, kind="subtask_commented")
    assert "312 rows" in notice.message
    assert notice.ticket == ticket
    (mail,) = _mails("notified", agent.email)
    assert "312 rows" in mail.body
    assert "export.csv" in mail.body
    assert reverse("workspace:ticket", args=[ticket.reference]) in mail.body
    assert not _mails("notified", collaborator.email)  # the author is not told of their own


def test_a_message_by_api_reaches_the_ticket_and_subtask_apis_and_the_assignee(
    ticket, task, agent, collaborator
):
    sent = api(collaborator).post(
        f"/api/v1/subtasks/{task.pk}/comments/",
        {"body": "Done for 311 rows; one SKU is unknown."},
        format="json",
    )
    assert sent.status_code == 201, sent.json()
    assert sent.json()[0]["body"] == "Done for 311 rows; one SKU is unknown."
    assert sent.json()[0]["from_support"] is False

    detail = api(agent).get(f"/api/v1/subtasks/{task.pk}/").json()
    assert [e["body"] for e in detail["thread"]] == ["Done for 311 rows; one SKU is unknown."]
    assert detail["thread"][0]["author"]["name"] == "Dan Okafor"
    listed = api(agent).get(f"/api/v1/tickets/{ticket.reference}/subtasks/").json()
    assert listed["results"][0]["thread"][0]["body"] == "Done for 311 rows; one SKU is unknown."
    history = api(agent).get(f"/api/v1/tickets/{ticket.reference}/history/").json()
    commented = [e for e in history if e["kind"] == "subtask_commented"]
    assert commented[0]["data"]["message"] == "Done for 311 rows; one SKU is unknown."
    assert commented[0]["sentence"] == "wrote on a subtask"
    # The desk's history is not the requester's to read.
    requester = ticket.requester
    assert api(requester).get(f"/api/v1/tickets/{ticket.reference}/history/").status_code == 404

    assert Notification.objects.filter(user=agent, kind="subtask_commented").count() == 1
    (mail,) = _mails("notified", agent.email)
    assert "one SKU is unknown" in mail.body


def test_files_alone_by_api_reach_support(ticket, task, agent, collaborator):
    upload = SimpleUploadedFile("labels.pdf", b"%PDF-1.4 fake", content_type="application/pdf")
    sent = api(collaborator).post(
        f"/api/v1/subtasks/{task.pk}/comments/", {"files": [upload]}, format="multipart"
    )
    assert sent.status_code == 201, sent.json()
    assert sent.json()[0]["type"] == "file"
    assert sent.json()[0]["filename"] == "labels.pdf"
    (mail,) = _mails("notified", agent.email)
    assert "labels.pdf" in mail.body
    nothing = api(collaborator).post(f"/api/v1/subtasks/{task.pk}/comments/", {}, format="json")
    assert nothing.status_code == 400
    assert "body" in nothing.json()


def test_the_history_keeps_the_first_thousand_characters(ticket, task, collaborator):
    subtask_comment_add(subtask=task, author=collaborator, body="x" * 1500)
    event = TicketEvent.objects.get(ticket=ticket, kind="subtask_commented")
    assert event.data["message"] == "x" * 1000
    assert SubtaskComment.objects.get().body == "x" * 1500  # the thread keeps it whole


def test_with_nobody_assigned_the_holder_then_the_subtasks_creator_hears_it(
    ticket, task, agent, lead, collaborator
):
    ticket_update(ticket=ticket, actor=agent, data={"assignee": None})
    Ticket.objects.filter(pk=ticket.pk).update(holder=lead)
    subtask_comment_add(
        subtask=Subtask.objects.get(pk=task.pk), author=collaborator, body="To the holder"
    )
    assert Notification.objects.get(kind="subtask_commented").user == lead

    Ticket.objects.filter(pk=ticket.pk).update(holder=None)
    subtask_comment_add(
        subtask=Subtask.objects.get(pk=task.pk), author=collaborator, body="To whoever added it"
    )
    assert Notification.objects.filter(kind="subtask_commented").order_by("pk").last().user == agent
    assert "To whoever added it" in _mails("notified", agent.email)[-1].body


# --- support answers the collaborator -----------------------------------------------------


def test_the_agent_answers_from_the_ticket_page_and_the_collaborator_reads_it_and_gets_mail(
    ticket, task, dan, agent_client, collaborator
):
    response = agent_client.post(
        reverse("subtasks:answer", args=[task.pk]),
        {"body": "Use the file from Monday 06:00, please."},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    panel = response.content.decode()
    assert 'id="subtasks-panel"' in panel
    assert "Use the file from Monday 06:00, please." in panel

    page = dan.get(reverse("subtasks:task", args=[task.pk])).content.decode()
    assert "Use the file from Monday 06:00, please." in page
    assert "Alex Agent (support)" in page

    (mail,) = _mails("subtask_answer", collaborator.email)
    assert "Use the file from Monday 06:00, please." in mail.body
    assert "Re-import the skipped price file" in mail.subject
    assert "/tasks/link/" in mail.body  # their own link: no account needed
    assert "SECRET" not in mail.body
    # The link in the answer opens the task.
    path = mail.body[mail.body.index("/tasks/link/") :].split()[0]
    assert Client().get(path, follow=True).status_code == 200


def test_an_empty_answer_is_refused_in_the_panel(ticket, task, agent_client, collaborator):
    response = agent_client.post(
        reverse("subtasks:answer", args=[task.pk]), {"body": "  "}, HTTP_HX_REQUEST="true"
    )
    assert "Write a message or choose a file." in response.content.decode()
    assert not _mails("subtask_answer", collaborator.email)


def test_the_agent_answers_by_api_and_every_member_of_an_assigned_team_gets_their_link(
    ticket, agent, kinds, other_team, other_agent, collaborator
):
    from tests.factories import agent_of

    colleague = agent_of(other_team, email="nils@example.com", full_name="Nils Net")
    subtask = subtask_create(
        ticket=ticket,
        actor=agent,
        title="Check the switch",
        kind=kinds["Other"],
        assignee_team=other_team,
    )
    sent = api(agent).post(
        f"/api/v1/subtasks/{subtask.pk}/comments/", {"body": "Port 12, please."}, format="json"
    )
    assert sent.status_code == 201
    assert sent.json()[0]["from_support"] is True
    mails = OutboxMessage.objects.filter(kind="subtask_answer").order_by("to")
    assert [m.to for m in mails] == sorted([other_agent.email, colleague.email])
    assert all("Port 12, please." in m.body for m in mails)
    assert mails[0].body != mails[1].body  # each with their own link
    thread = api(other_agent).get(f"/api/v1/subtasks/{subtask.pk}/").json()["thread"]
    assert [e["body"] for e in thread] == ["Port 12, please."]


def test_an_answer_is_mailed_once_per_comment_and_person(task, agent, collaborator):
    from apps.subtasks.notifications import subtask_answer_mail_queue

    comment = subtask_comment_add(subtask=task, author=agent, body="Once")
    again = subtask_answer_mail_queue(
        subtask=task, author=agent, body="Once", filenames=[], key=f"c{comment.pk}"
    )
    assert again == 0
    assert len(_mails("subtask_answer", collaborator.email)) == 1


# --- what a collaborator may read ---------------------------------------------------------


def test_the_task_page_never_shows_unshared_internal_notes_nor_other_tasks_threads(
    ticket, task, dan, agent, kinds, other_collaborator, note
):
    other = subtask_create(
        ticket=ticket,
        actor=agent,
        title="Tell the stores",
        kind=kinds["Workaround"],
        assignee_user=other_collaborator,
    )
    subtask_comment_add(subtask=other, author=agent, body="Olga: call the 12 stores first.")
    subtask_comment_add(subtask=task, author=agent, body="Dan: the file is in the share.")

    page = dan.get(reverse("subtasks:task", args=[task.pk])).content.decode()
    assert note.body not in page  # "SECRET import job 4411": an internal note, not shared
    assert "SECRET" not in page
    assert "call the 12 stores" not in page  # another task's thread
    assert "the file is in the share" in page
    assert dan.get(reverse("subtasks:task", args=[other.pk])).status_code == 404

    body = str(api(task.assignee_user).get(f"/api/v1/subtasks/{task.pk}/").json())
    assert "SECRET" not in body
    assert "call the 12 stores" not in body
    assert api(task.assignee_user).get(f"/api/v1/subtasks/{other.pk}/comments/").status_code == 404
    for mail in OutboxMessage.objects.filter(to=task.assignee_user.email):
        assert "SECRET" not in mail.body
        assert "call the 12 stores" not in mail.body


def test_another_agent_outside_the_team_cannot_answer(task, other_agent):
    client = signed_in(other_agent)
    assert (
        client.post(reverse("subtasks:answer", args=[task.pk]), {"body": "Hi"}).status_code == 404
    )
    denied = api(other_agent).post(
        f"/api/v1/subtasks/{task.pk}/comments/", {"body": "Hi"}, format="json"
    )
    assert denied.status_code == 404
