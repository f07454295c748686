"""The subtask panel on the agent's ticket page: add, apply a template, update, override."""

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from apps.accounts.models import User
from apps.subtasks.models import ResolveOverride, Status, Subtask
from apps.subtasks.services import subtask_create
from apps.subtasks.views.agent import panel_context
from tests.conftest import signed_in

from .factories import template_with_items


def test_the_ticket_page_shows_the_panel_with_status_assignee_and_due(
    ticket, agent, agent_client, kinds, collaborator
):
    subtask_create(
        ticket=ticket,
        actor=agent,
        title="Re-import prices",
        kind=kinds["Data fix"],
        assignee_user=collaborator,
        due_date="2031-03-14",
    )
    page = agent_client.get(reverse("workspace:ticket", args=[ticket.reference])).content.decode()
    assert 'id="subtasks-panel"' in page
    assert "Re-import prices" in page
    assert "Dan Okafor" in page
    assert "14 Mar" in page
    assert "0 of 1 done" in page


def test_an_agent_adds_a_subtask_for_an_e_mail_address(
    ticket, agent_client, kinds, reply, note, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = agent_client.post(
            reverse("subtasks:add", args=[ticket.reference]),
            {
                "title": "Announce the workaround",
                "kind": kinds["Workaround"].pk,
                "assignee_email": "Store.Ops@Example.com",
                "due_date": "2031-03-14",
                "blocking": "on",
                "share_description": "on",
                "shared_comments": [str(note.pk)],
                "instructions": "Tell the stores to honour the label price.",
            },
            HTTP_HX_REQUEST="true",
        )
    assert response.status_code == 200
    assert "Announce the workaround" in response.content.decode()
    subtask = Subtask.objects.get()
    person = User.objects.get(email="store.ops@example.com")
    assert subtask.assignee_user == person
    assert not person.has_usable_password()
    assert list(subtask.shared_comments.all()) == [note]
    assert [m.to for m in mail.outbox if "store.ops" in m.to[0]] == [["store.ops@example.com"]]


def test_bad_input_is_named_and_nothing_is_saved(
    ticket, agent_client, kinds, other_team, collaborator
):
    response = agent_client.post(
        reverse("subtasks:add", args=[ticket.reference]),
        {"title": "", "kind": kinds["Other"].pk},
        HTTP_HX_REQUEST="true",
    )
    assert "What needs doing: This field is required." in response.content.decode()
    response = agent_client.post(
        reverse("subtasks:add", args=[ticket.reference]),
        {
            "title": "Two owners",
            "kind": kinds["Other"].pk,
            "assignee": f"team:{other_team.pk}",
            "assignee_email": collaborator.email,
        },
        HTTP_HX_REQUEST="true",
    )
    assert "Assign the subtask to one person, team or e-mail address." in response.content.decode()
    assert not Subtask.objects.exists()


def test_a_template_is_applied_in_one_click(ticket, agent_client):
    template = template_with_items()
    response = agent_client.post(
        reverse("subtasks:apply-template", args=[ticket.reference]), {"template": template.pk}
    )
    assert response.status_code == 302
    assert ticket.subtasks.count() == 3


def test_an_agent_marks_a_subtask_done_and_a_lead_overrides(ticket, agent, lead, kinds):
    first = subtask_create(ticket=ticket, actor=agent, title="One", kind=kinds["Other"])
    subtask_create(ticket=ticket, actor=agent, title="Two", kind=kinds["Other"])
    agent_client = signed_in(agent)
    agent_client.post(
        reverse("subtasks:transition", args=[first.pk]), {"status": "done", "note": "ok"}
    )
    assert Subtask.objects.get(pk=first.pk).status == Status.DONE
    page = agent_client.get(reverse("workspace:ticket", args=[ticket.reference])).content.decode()
    assert "Cannot be resolved yet" in page
    assert "Override as team lead" not in page  # agents are not leads
    refused = agent_client.post(
        reverse("subtasks:override", args=[ticket.reference]),
        {"reason": "trust me"},
        HTTP_HX_REQUEST="true",
    )
    assert "Only a lead" in refused.content.decode()

    lead_client = signed_in(lead)
    assert (
        "Override as team lead"
        in lead_client.get(reverse("workspace:ticket", args=[ticket.reference])).content.decode()
    )
    lead_client.post(
        reverse("subtasks:override", args=[ticket.reference]),
        {"reason": "Stores informed by phone; fix follows in CHG-7."},
    )
    assert ResolveOverride.objects.get().lead == lead


def test_people_who_do_not_work_the_ticket_get_404(
    ticket, agent, kinds, other_agent, requester_client
):
    subtask = subtask_create(ticket=ticket, actor=agent, title="One", kind=kinds["Other"])
    for client in (signed_in(other_agent), requester_client):
        assert (
            client.post(
                reverse("subtasks:add", args=[ticket.reference]), {"title": "x", "kind": 1}
            ).status_code
            == 404
        )
        assert (
            client.post(
                reverse("subtasks:transition", args=[subtask.pk]), {"status": "done"}
            ).status_code
            == 404
        )
        assert client.post(reverse("subtasks:delete", args=[subtask.pk])).status_code == 404
    assert Subtask.objects.filter(status=Status.OPEN).count() == 1


def _panel_queries(ticket, agent, django_assert_max_num_queries, limit):
    request = RequestFactory().get("/")
    request.user = User.objects.get(pk=agent.pk)
    with django_assert_max_num_queries(limit) as captured:
        render_to_string("subtasks/panel.html", panel_context(request, ticket), request=request)
    return len(captured)


def test_the_panel_costs_the_same_queries_for_two_or_twelve_subtasks(
    ticket, agent, kinds, collaborator, django_assert_max_num_queries
):
    for n in range(2):
        subtask_create(
            ticket=ticket,
            actor=agent,
            title=f"T{n}",
            kind=kinds["Other"],
            assignee_user=collaborator,
        )
    # 16: the threads (messages, files) are two of them, whatever the number of subtasks.
    few = _panel_queries(ticket, agent, django_assert_max_num_queries, 16)
    for n in range(10):
        subtask_create(ticket=ticket, actor=agent, title=f"U{n}", kind=kinds["Other"])
    assert _panel_queries(ticket, agent, django_assert_max_num_queries, 16) == few


@pytest.mark.parametrize("is_lead", [True, False])
def test_the_overdue_list_is_for_leads_only(
    ticket, agent, lead, kinds, is_lead, django_assert_max_num_queries
):
    import datetime

    for n in range(5):
        subtask_create(
            ticket=ticket,
            actor=agent,
            title=f"Late {n}",
            kind=kinds["Other"],
            due_date=datetime.date(2020, 1, 1 + n),
        )
    client = signed_in(lead if is_lead else agent)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("subtasks:overdue"))
    if is_lead:
        assert response.status_code == 200
        assert response.content.decode().index("Late 0") < response.content.decode().index("Late 4")
    else:
        assert response.status_code == 404


def test_an_agent_changes_what_the_assignee_may_read(
    ticket, agent, agent_client, kinds, reply, note
):
    subtask = subtask_create(
        ticket=ticket, actor=agent, title="One", kind=kinds["Other"], shared_comment_ids=[reply.pk]
    )
    response = agent_client.post(
        reverse("subtasks:share", args=[subtask.pk]),
        {"shared_comments": [str(note.pk)]},
        HTTP_HX_REQUEST="true",
    )
    assert "Sharing of “One” updated." in response.content.decode()
    subtask.refresh_from_db()
    assert subtask.share_description is False
    assert list(subtask.shared_comments.all()) == [note]


def test_the_sharing_form_lists_every_message_with_the_shared_ones_ticked(
    ticket, agent, agent_client, kinds, reply, note
):
    subtask_create(
        ticket=ticket, actor=agent, title="One", kind=kinds["Other"], shared_comment_ids=[note.pk]
    )
    page = agent_client.get(reverse("workspace:ticket", args=[ticket.reference])).content.decode()
    share_form = page[page.index("may read</legend>") :]
    share_form = share_form[: share_form.index("</form>")]
    assert f'value="{reply.pk}" >' in share_form
    assert f'value="{note.pk}" checked>' in share_form
