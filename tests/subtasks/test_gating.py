"""A ticket cannot be resolved while blocking work is open; a lead may override, on the record."""

import pytest
from django.core import mail

from apps.core.errors import ApplicationError
from apps.subtasks.models import ResolveOverride
from apps.subtasks.services import (
    READY_MESSAGE,
    resolve_override_create,
    subtask_create,
    subtask_transition,
)
from apps.tickets.models import Status, TicketEvent
from apps.tickets.services import ticket_update


@pytest.fixture
def split(ticket, agent, kinds, collaborator, other_collaborator):
    fix = subtask_create(
        ticket=ticket,
        actor=agent,
        title="Re-import prices",
        kind=kinds["Data fix"],
        assignee_user=collaborator,
    )
    workaround = subtask_create(
        ticket=ticket,
        actor=agent,
        title="Tell the stores",
        kind=kinds["Workaround"],
        assignee_user=other_collaborator,
    )
    test = subtask_create(
        ticket=ticket,
        actor=agent,
        title="Add a test",
        kind=kinds["New test"],
        blocking=False,
    )
    return fix, workaround, test


def test_resolving_is_refused_naming_the_open_blocking_subtasks(ticket, agent, split):
    with pytest.raises(ApplicationError) as refused:
        ticket_update(ticket=ticket, actor=agent, data={"status": Status.RESOLVED})
    assert refused.value.field == "status"
    assert "Re-import prices" in refused.value.message
    assert "Tell the stores" in refused.value.message
    assert "Add a test" not in refused.value.message  # not blocking
    ticket.refresh_from_db()
    assert ticket.status != Status.RESOLVED


def test_when_the_last_blocking_subtask_finishes_the_assignee_hears_once(
    ticket, agent, split, collaborator, other_collaborator, django_capture_on_commit_callbacks
):
    fix, workaround, _ = split
    subtask_transition(subtask=fix, actor=collaborator, status="done", note="Re-imported.")
    assert not TicketEvent.objects.filter(ticket=ticket, kind="notified").exists()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        subtask_transition(
            subtask=workaround,
            actor=other_collaborator,
            status="wont_do",
            note="Stores already re-labelled by hand.",
        )

    notified = TicketEvent.objects.get(ticket=ticket, kind="notified")
    assert notified.data["user_ids"] == [agent.pk]
    assert notified.data["message"] == READY_MESSAGE
    assert [m.to for m in mail.outbox] == [[agent.email]]
    assert "ready to resolve" in mail.outbox[0].body
    ticket_update(
        ticket=ticket,
        actor=agent,
        data={"status": Status.RESOLVED},
        answers={"open_subtasks": "keep"},  # the non-blocking test stays open on purpose
    )
    assert ticket.status == Status.RESOLVED


def test_a_team_lead_overrides_with_a_reason_that_is_recorded(ticket, lead, agent, split):
    override = resolve_override_create(
        ticket=ticket, lead=lead, reason="Customer confirmed prices fine; fix tracked in CHG-12"
    )
    event = TicketEvent.objects.get(ticket=ticket, kind="subtasks_overridden")
    assert event.actor == lead
    assert event.data["reason"].startswith("Customer confirmed")
    assert sorted(event.data["open_subtasks"]) == ["Re-import prices", "Tell the stores"]
    assert ResolveOverride.objects.get() == override

    ticket_update(
        ticket=ticket,
        actor=agent,
        data={"status": Status.RESOLVED},
        answers={"open_subtasks": "keep"},
    )
    assert ticket.status == Status.RESOLVED


def test_blocking_work_added_after_an_override_blocks_again(ticket, lead, agent, split, kinds):
    resolve_override_create(ticket=ticket, lead=lead, reason="Stores were told by phone.")
    subtask_create(ticket=ticket, actor=agent, title="Refund the customers", kind=kinds["Other"])
    with pytest.raises(ApplicationError, match="Refund the customers"):
        ticket_update(ticket=ticket, actor=agent, data={"status": Status.RESOLVED})


def test_only_a_lead_of_the_team_may_override_and_must_say_why(
    ticket, agent, lead, other_agent, split
):
    with pytest.raises(ApplicationError, match="Only a lead"):
        resolve_override_create(ticket=ticket, lead=agent, reason="Because I say so")
    with pytest.raises(ApplicationError) as no_reason:
        resolve_override_create(ticket=ticket, lead=lead, reason="  ")
    assert no_reason.value.field == "reason"
    assert not ResolveOverride.objects.exists()
