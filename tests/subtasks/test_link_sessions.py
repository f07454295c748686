"""A collaborator's link session: bound to its task and link version, ended by the link's age
or by "Sign out", and never silently swapped for the person signed in."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from apps.subtasks.links import link_token
from apps.subtasks.services import subtask_comment_add, subtask_create, subtask_link_revoke
from tests.conftest import signed_in


@pytest.fixture
def two_tasks(ticket, agent, kinds, collaborator):
    """Two tasks for Dan, and the link to the first."""
    first, second = (
        subtask_create(
            ticket=ticket, actor=agent, title=title, kind=kinds[kind], assignee_user=collaborator
        )
        for title, kind in [
            ("Re-import the price file", "Data fix"),
            ("Check the label printer", "Other"),
        ]
    )
    first_link = reverse("subtasks:link", args=[link_token(subtask=first, user=collaborator)])
    return first, first_link, second


def test_a_link_session_opens_its_own_task_only(two_tasks, collaborator):
    _first, first_link, second = two_tasks
    subtask_comment_add(
        subtask=second,
        author=collaborator,
        body="file",
        files=[SimpleUploadedFile("secret.csv", b"a,b\n")],
    )
    browser = Client()
    assert browser.get(first_link, follow=True).status_code == 200
    assert browser.get(reverse("subtasks:task", args=[second.pk])).status_code == 404
    finish = browser.post(reverse("subtasks:finish", args=[second.pk]), {"status": "done"})
    assert finish.status_code == 404
    comment = browser.post(reverse("subtasks:comment", args=[second.pk]), {"body": "hi"})
    assert comment.status_code == 404
    file = second.attachments.get()
    assert browser.get(reverse("subtasks:attachment", args=[file.pk])).status_code == 404
    mine = browser.get(reverse("subtasks:mine")).content.decode()
    assert "Re-import the price file" in mine
    assert "Check the label printer" not in mine
    second.refresh_from_db()
    assert second.is_open


def test_the_session_dies_with_the_link_version(
    two_tasks, agent, django_capture_on_commit_callbacks
):
    first, first_link, _ = two_tasks
    browser = Client()
    browser.get(first_link)
    with django_capture_on_commit_callbacks(execute=True):
        subtask_link_revoke(subtask=first, actor=agent)
    assert browser.get(reverse("subtasks:task", args=[first.pk])).status_code == 302


def test_the_session_expires_when_the_link_would(two_tasks, settings):
    first, first_link, _ = two_tasks
    browser = Client()
    browser.get(first_link)
    task_url = reverse("subtasks:task", args=[first.pk])
    assert browser.get(task_url).status_code == 200
    later = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(
        seconds=settings.SUBTASK_LINK_MAX_AGE + 60
    )
    with time_machine.travel(later):
        response = browser.get(task_url)
    assert response.status_code == 302
    assert "/accounts/sign-in/" in response["Location"]


def test_sign_out_ends_the_session(two_tasks):
    first, first_link, _ = two_tasks
    browser = Client()
    page = browser.get(first_link, follow=True).content.decode()
    assert reverse("subtasks:sign-out") in page
    assert browser.post(reverse("subtasks:sign-out")).status_code == 200
    assert browser.get(reverse("subtasks:task", args=[first.pk])).status_code == 302


def test_a_link_for_someone_else_asks_before_switching(two_tasks, agent, collaborator):
    first, first_link, _ = two_tasks
    browser = signed_in(agent)
    response = browser.get(first_link)
    assert response.status_code == 200
    page = response.content.decode()
    assert "You are signed in as" in page
    assert "Alex Agent" in page
    assert "Continue as Dan Okafor" in page
    # Still the agent: nothing was switched, and the task did not open as Dan.
    assert browser.get(reverse("workspace:queue")).status_code == 200
    assert int(browser.session["_auth_user_id"]) == agent.pk
    assert "subtasks.link" not in browser.session
    confirmed = browser.post(first_link, {"continue": "1"})
    assert confirmed.status_code == 302
    assert "_auth_user_id" not in browser.session
    assert browser.get(reverse("subtasks:task", args=[first.pk])).status_code == 200


def test_signing_in_after_a_link_session_is_never_overridden_by_it(two_tasks, agent):
    first, first_link, _ = two_tasks
    browser = Client()
    browser.get(first_link)
    browser.force_login(agent)
    # The signed-in agent is not Dan: Dan's task is not theirs to see.
    assert browser.get(reverse("subtasks:task", args=[first.pk])).status_code == 404
    assert "subtasks.link" not in browser.session


def test_the_assignee_signed_in_opens_their_link_without_a_question(two_tasks, collaborator):
    first, first_link, _ = two_tasks
    browser = Client()
    browser.force_login(collaborator)
    response = browser.get(first_link)
    assert response.status_code == 302
    assert response["Location"] == reverse("subtasks:task", args=[first.pk])
