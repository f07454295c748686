"""In a real browser: the collaborator writes to support from their task page, the agent reads it
in the ticket's subtask panel and answers there, and the collaborator reads the answer."""

import os
from pathlib import Path

import pytest

from apps.subtasks.services import subtask_create
from tests.factories import PASSWORD

from .conftest import link_from_mail

pytestmark = pytest.mark.browser


def _shot(page, name: str) -> None:
    """Screenshots for a person to look at, where SB_SCREENSHOTS points (not kept otherwise)."""
    folder = os.environ.get("SB_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(Path(folder) / name), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_collaborator_and_agent_talk_through_the_subtask_thread(
    live_server, open_page, ticket, agent, kinds, collaborator, reply, note
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
    subtask_create(
        ticket=ticket,
        actor=agent,
        title="Add a regression test",
        kind=kinds["New test"],
        blocking=False,
    )
    dan = open_page(link_from_mail(collaborator.email), viewport=(1200, 900))
    dan.fill("textarea[name=body]", "Which export do you mean: Monday's or Tuesday's?")
    dan.click("text=Send")
    dan.wait_for_selector("text=Sent to support.")

    alex = open_page("/accounts/sign-in/", viewport=(1400, 1100))
    alex.fill("input[name=username]", agent.email)
    alex.fill("input[name=password]", PASSWORD)
    alex.click("button.btn.primary")
    alex.wait_for_load_state()
    alex.goto(f"/desk/tickets/{ticket.reference}/")
    panel = alex.locator("#subtasks-panel")
    assert "Which export do you mean" in panel.inner_text()
    assert "Which export do you mean" in alex.locator("#history").inner_text()
    answer = panel.locator(f"#subtask-{subtask.pk} textarea[name=body]")
    answer.fill("Monday's, the one from 06:00.")
    panel.locator(f"#subtask-{subtask.pk} button", has_text="Send to").click()
    alex.wait_for_selector("text=Answer sent to Dan Okafor")
    assert "Monday's, the one from 06:00." in alex.locator("#subtasks-panel").inner_text()
    assert "Subtasks still open" in alex.locator("#properties").inner_text()
    _shot(alex, "agent_ticket_thread.png")

    dan.reload()
    body = dan.locator("main").inner_text()
    assert "Monday's, the one from 06:00." in body
    assert "Which export do you mean" in body
    assert "SECRET" not in body
    _shot(dan, "collaborator_task.png")
