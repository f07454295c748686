"""In a real browser: a collaborator opens the e-mailed link, reads the task, and marks it done."""

import pytest

from apps.subtasks.models import Status, Subtask
from apps.subtasks.services import subtask_create

from .conftest import link_from_mail

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_collaborator_finishes_their_task_from_the_e_mailed_link(
    open_page, ticket, agent, kinds, collaborator, reply, note
):
    subtask = subtask_create(
        ticket=ticket,
        actor=agent,
        title="Re-import the skipped price file",
        kind=kinds["Data fix"],
        instructions="Re-run the import for store 112.",
        assignee_user=collaborator,
        shared_comment_ids=[reply.pk],
    )
    page = open_page(link_from_mail(collaborator.email), viewport=(1200, 900))

    assert page.locator("h1").inner_text() == "Re-import the skipped price file"
    body = page.locator("main").inner_text()
    assert "Re-run the import for store 112." in body
    assert "We found the cause" in body
    assert "SECRET" not in body
    assert "Sign in" not in body  # no account, no password

    page.fill("textarea[name=note]", "Imported 312 prices; checked five labels.")
    page.click("button[value=done]")
    page.wait_for_selector("text=the task is marked as done")
    assert "Done — thank you" in page.locator("main").inner_text()
    subtask = Subtask.objects.get(pk=subtask.pk)
    assert subtask.status == Status.DONE
    assert subtask.result_note == "Imported 312 prices; checked five labels."

    page.goto("/tasks/mine/")
    assert "Nothing to do" in page.locator("main").inner_text()
