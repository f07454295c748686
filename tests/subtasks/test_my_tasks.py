""" "My tasks": everything a person is asked to do, whether they came by link or signed in."""

from django.test import Client
from django.urls import reverse

from apps.subtasks.services import subtask_create, subtask_transition
from tests.conftest import signed_in
from tests.factories import UserFactory


def test_a_signed_in_person_sees_their_own_and_their_teams_open_tasks(
    ticket, agent, kinds, other_team, other_agent, collaborator, django_assert_max_num_queries
):
    subtask_create(
        ticket=ticket,
        actor=agent,
        title="Check router",
        kind=kinds["Other"],
        assignee_team=other_team,
    )
    mine = subtask_create(
        ticket=ticket,
        actor=agent,
        title="Replace cable",
        kind=kinds["Other"],
        assignee_user=other_agent,
    )
    done = subtask_create(
        ticket=ticket, actor=agent, title="Old job", kind=kinds["Other"], assignee_user=other_agent
    )
    subtask_transition(subtask=done, actor=other_agent, status="done")
    subtask_create(
        ticket=ticket,
        actor=agent,
        title="Dan's data fix",
        kind=kinds["Other"],
        assignee_user=collaborator,
    )
    for n in range(5):
        subtask_create(
            ticket=ticket,
            actor=agent,
            title=f"Extra {n}",
            kind=kinds["Other"],
            assignee_user=other_agent,
        )
    client = signed_in(other_agent)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("subtasks:mine")).content.decode()
    assert "Check router" in page
    assert "Replace cable" in page
    assert "Extra 4" in page
    assert "Old job" not in page
    assert "Dan's data fix" not in page
    assert client.get(reverse("subtasks:task", args=[mine.pk])).status_code == 200


def test_without_a_link_or_sign_in_my_tasks_asks_to_sign_in(db):
    response = Client().get(reverse("subtasks:mine"))
    assert response.status_code == 302
    assert "/accounts/sign-in/" in response["Location"]


def test_my_tasks_is_in_the_navigation_of_those_with_tasks_and_overdue_only_for_leads(
    ticket, lead, agent, kinds
):
    # A requester who was never given a subtask has no use for an empty "My tasks".
    person = UserFactory()
    home = signed_in(person).get(reverse("portal:tickets")).content.decode()
    assert "My tasks" not in home
    subtask_create(
        ticket=ticket, actor=agent, title="Count labels", kind=kinds["Other"], assignee_user=person
    )
    home = signed_in(person).get(reverse("portal:tickets")).content.decode()
    assert "My tasks" in home
    assert "Overdue subtasks" not in home
    assert "My tasks" in signed_in(agent).get(reverse("portal:tickets")).content.decode()
    assert "Overdue subtasks" in signed_in(lead).get(reverse("portal:tickets")).content.decode()


def test_my_tasks_shows_each_tasks_ticket_subject_on_the_page_in_the_api_and_the_e_mail(
    ticket, agent, kinds, collaborator, django_capture_on_commit_callbacks
):
    from django.core import mail
    from rest_framework.test import APIClient

    from apps.core.models import OutboxMessage

    from .conftest import link_from_mail

    with django_capture_on_commit_callbacks(execute=True):
        subtask_create(
            ticket=ticket,
            actor=agent,
            title="Re-import prices",
            kind=kinds["Data fix"],
            assignee_user=collaborator,
        )
    client = Client()
    client.get(link_from_mail(collaborator.email))
    page = client.get(reverse("subtasks:mine")).content.decode()
    assert ticket.reference in page
    assert "Shelf prices wrong in store 112" in page

    api = APIClient()
    api.force_authenticate(collaborator)
    (task,) = api.get("/api/v1/subtasks/mine/").json()["results"]
    assert task["ticket"]["subject"] == "Shelf prices wrong in store 112"

    assigned = OutboxMessage.objects.get(kind="subtask_assigned", to=collaborator.email)
    assert "Shelf prices wrong in store 112" in assigned.body
    assert any("Shelf prices wrong in store 112" in m.body for m in mail.outbox)
