"""Resolving a ticket while non-blocking subtasks are open asks what becomes of them: cancel
them (their assignees are told, with a note) or leave them open on purpose (on the record).
Nobody keeps working on a task whose ticket is resolved without being told."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from apps.core.errors import ApplicationError
from apps.core.models import OutboxMessage
from apps.subtasks.models import Status, Subtask
from apps.subtasks.services import subtask_create, subtask_transition
from apps.tickets.models import Status as TicketStatus
from apps.tickets.models import TicketEvent
from apps.tickets.services import ticket_update

from .conftest import link_from_mail


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def open_work(
    ticket, agent, kinds, collaborator, other_collaborator, django_capture_on_commit_callbacks
):
    """A finished blocking fix, and two non-blocking tasks still open."""
    with django_capture_on_commit_callbacks(execute=True):
        fix = subtask_create(
            ticket=ticket,
            actor=agent,
            title="Re-import prices",
            kind=kinds["Data fix"],
            assignee_user=collaborator,
        )
        test = subtask_create(
            ticket=ticket,
            actor=agent,
            title="Add a regression test",
            kind=kinds["New test"],
            assignee_user=collaborator,
            blocking=False,
        )
        poster = subtask_create(
            ticket=ticket,
            actor=agent,
            title="Update the store poster",
            kind=kinds["Other"],
            assignee_user=other_collaborator,
            blocking=False,
        )
    subtask_transition(subtask=fix, actor=collaborator, status="done", note="Re-imported.")
    return test, poster


def _cancel_mails():
    return list(OutboxMessage.objects.filter(kind="subtask_cancelled").order_by("to"))


def test_resolving_without_an_answer_is_refused_naming_the_question(ticket, agent, open_work):
    with pytest.raises(ApplicationError) as refused:
        ticket_update(ticket=ticket, actor=agent, data={"status": TicketStatus.RESOLVED})
    assert refused.value.field == "open_subtasks"
    assert "Add a regression test" in refused.value.message
    assert "Update the store poster" in refused.value.message
    assert "Re-import prices" not in refused.value.message  # finished
    ticket.refresh_from_db()
    assert ticket.status != TicketStatus.RESOLVED


def test_cancelling_sets_them_to_wont_do_with_the_note_and_mails_their_assignees(
    ticket, agent, open_work, collaborator, other_collaborator
):
    ready = TicketEvent.objects.filter(
        ticket=ticket, kind="notified", data__message__icontains="ready to resolve"
    )
    ready_before = ready.count()  # the blocking fix was finished: that notice went already
    ticket_update(
        ticket=ticket,
        actor=agent,
        data={"status": TicketStatus.RESOLVED},
        answers={"open_subtasks": "cancel", "open_subtasks_note": "Fixed upstream in 4.2."},
    )
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED
    for subtask in open_work:
        subtask.refresh_from_db()
        assert subtask.status == Status.WONT_DO
        assert subtask.result_note == "Fixed upstream in 4.2."
        assert subtask.completed_by == agent
    mails = _cancel_mails()
    assert [m.to for m in mails] == sorted([collaborator.email, other_collaborator.email])
    assert all("Fixed upstream in 4.2." in m.body for m in mails)
    assert all("no longer needed" in m.body for m in mails)
    assert "Add a regression test" in mails[0].subject + mails[1].subject
    event = TicketEvent.objects.get(ticket=ticket, kind="subtasks_cancelled")
    assert sorted(event.data["cancelled_subtasks"]) == [
        "Add a regression test",
        "Update the store poster",
    ]
    # No "all work done, ready to resolve" notice for a ticket being resolved.
    assert ready.count() == ready_before


def test_keeping_them_open_is_recorded_and_the_task_page_says_the_ticket_is_resolved(
    ticket, agent, open_work, collaborator
):
    ticket_update(
        ticket=ticket,
        actor=agent,
        data={"status": TicketStatus.RESOLVED},
        answers={"open_subtasks": "keep", "open_subtasks_note": "Test still worth adding."},
    )
    test = open_work[0]
    test.refresh_from_db()
    assert test.status == Status.OPEN
    event = TicketEvent.objects.get(ticket=ticket, kind="subtasks_kept_open")
    assert event.actor == agent
    assert sorted(event.data["open_subtasks"]) == [
        "Add a regression test",
        "Update the store poster",
    ]
    assert event.data["note"] == "Test still worth adding."
    assert not _cancel_mails()

    dan = Client()
    dan.get(link_from_mail(collaborator.email))
    page = dan.get(reverse("subtasks:task", args=[test.pk])).content.decode()
    assert "was resolved" in page
    assert "stay open" in page


def test_closing_a_resolved_ticket_asks_nothing_again(ticket, agent, open_work):
    ticket_update(
        ticket=ticket,
        actor=agent,
        data={"status": TicketStatus.RESOLVED},
        answers={"open_subtasks": "keep"},
    )
    ticket_update(ticket=ticket, actor=agent, data={"status": TicketStatus.CLOSED})
    assert ticket.status == TicketStatus.CLOSED


def test_without_open_subtasks_nothing_is_asked(ticket, agent, kinds):
    ticket_update(ticket=ticket, actor=agent, data={"status": TicketStatus.RESOLVED})
    assert ticket.status == TicketStatus.RESOLVED


# --- the web form --------------------------------------------------------------------------


def test_the_properties_panel_asks_and_resolving_without_an_answer_is_refused_in_place(
    ticket, agent_client, open_work
):
    url = reverse("workspace:ticket", args=[ticket.reference])
    page = agent_client.get(url).content.decode()
    assert "Subtasks still open" in page
    assert "Cancel them and tell their assignees, with a note" in page
    assert "Leave them open on purpose" in page

    response = agent_client.post(
        reverse("workspace:properties", args=[ticket.reference]),
        _props(ticket, status="resolved"),
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert "Add a regression test" in html
    assert "still open" in html
    ticket.refresh_from_db()
    assert ticket.status != TicketStatus.RESOLVED


def test_resolving_from_the_web_form_cancels_them_and_the_panel_shows_it(
    ticket, agent_client, open_work, collaborator
):
    response = agent_client.post(
        reverse("workspace:properties", args=[ticket.reference]),
        _props(
            ticket,
            status="resolved",
            resolution="workaround",
            open_subtasks="cancel",
            open_subtasks_note="Not needed: the vendor fixed it.",
        ),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED
    assert 'id="panel-subtasks" hx-swap-oob="true"' in html  # the panel updates in place
    assert "Not needed: the vendor fixed it." in html
    assert all(s.status == Status.WONT_DO for s in Subtask.objects.filter(blocking=False))
    mail = OutboxMessage.objects.get(kind="subtask_cancelled", to=collaborator.email)
    assert "Not needed: the vendor fixed it." in mail.body

    dan = Client()
    dan.get(link_from_mail(collaborator.email))
    test = open_work[0]
    page = dan.get(reverse("subtasks:task", args=[test.pk])).content.decode()
    assert "support cancelled it" in page
    assert "Not needed: the vendor fixed it." in page


def _props(ticket, **changes) -> dict:
    data = {
        "status": ticket.status,
        "priority": ticket.priority,
        "team": ticket.team_id,
        "tier": ticket.tier,
        "assignee": ticket.assignee_id,
        "tags": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


# --- the API -------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["resolved", "closed"])
def test_the_api_requires_an_explicit_answer_naming_the_field(ticket, agent, open_work, status):
    url = f"/api/v1/tickets/{ticket.reference}/"
    refused = api(agent).patch(url, {"status": status}, format="json")
    assert refused.status_code == 400
    assert "open_subtasks" in refused.json()
    assert "Add a regression test" in refused.json()["open_subtasks"][0]
    wrong = api(agent).patch(url, {"status": status, "open_subtasks": "maybe"}, format="json")
    assert wrong.status_code == 400
    assert "open_subtasks" in wrong.json()
    ticket.refresh_from_db()
    assert ticket.status not in ("resolved", "closed")


def test_the_api_cancels_with_a_note_and_mails_the_assignees(
    ticket, agent, open_work, collaborator, other_collaborator
):
    response = api(agent).patch(
        f"/api/v1/tickets/{ticket.reference}/",
        {"status": "resolved", "open_subtasks": "cancel", "open_subtasks_note": "Out of scope."},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "resolved"
    assert [m.to for m in _cancel_mails()] == sorted([collaborator.email, other_collaborator.email])
    test = api(collaborator).get(f"/api/v1/subtasks/{open_work[0].pk}/").json()
    assert test["status"] == "wont_do"
    assert test["result_note"] == "Out of scope."
    assert test["ticket_status"] == "resolved"


def test_the_api_keeps_them_open_on_purpose(ticket, agent, open_work):
    response = api(agent).patch(
        f"/api/v1/tickets/{ticket.reference}/",
        {"status": "resolved", "open_subtasks": "keep"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert TicketEvent.objects.filter(ticket=ticket, kind="subtasks_kept_open").exists()
    assert Subtask.objects.filter(blocking=False, status=Status.OPEN).count() == 2
