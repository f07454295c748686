"""The subtasks API: agents manage a ticket's subtasks; assignees see and finish their own."""

import pytest
from rest_framework.test import APIClient

from apps.subtasks.models import Status, Subtask
from apps.subtasks.services import subtask_create
from tests.factories import UserFactory


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def url(ticket):
    return f"/api/v1/tickets/{ticket.reference}/subtasks/"


def test_an_agent_creates_lists_changes_and_removes_subtasks(
    ticket, agent, kinds, url, team, django_assert_max_num_queries
):
    client = api(agent)
    created = client.post(
        url,
        {
            "title": "Re-import prices",
            "kind": kinds["Data fix"].pk,
            "assignee_email": "dan.data@example.com",
            "due_date": "2031-03-14",
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["ticket"] == ticket.reference
    assert body["assignee"]["email"] == "dan.data@example.com"
    assert body["status"] == "open"
    assert body["blocking"] is True

    for n in range(6):
        client.post(
            url,
            {
                "title": f"More {n}",
                "kind": kinds["Other"].pk,
                "assignee_team": team.pk,
                "depends_on": [body["id"]],
            },
            format="json",
        )
    with django_assert_max_num_queries(10):
        listed = client.get(url).json()
    assert listed["count"] == 7
    assert listed["results"][1]["depends_on"] == [body["id"]]

    changed = client.patch(
        f"/api/v1/subtasks/{body['id']}/",
        {"title": "Re-import all prices", "blocking": False},
        format="json",
    )
    assert changed.status_code == 200
    assert changed.json()["title"] == "Re-import all prices"
    assert changed.json()["blocking"] is False
    assert client.delete(f"/api/v1/subtasks/{body['id']}/").status_code == 204
    assert Subtask.objects.count() == 6


def test_bad_input_is_a_400_naming_the_field(ticket, agent, kinds, url):
    client = api(agent)
    missing = client.post(url, {"kind": kinds["Other"].pk}, format="json")
    assert missing.status_code == 400
    assert "title" in missing.json()
    first = client.post(url, {"title": "A", "kind": kinds["Other"].pk}, format="json").json()
    second = client.post(
        url, {"title": "B", "kind": kinds["Other"].pk, "depends_on": [first["id"]]}, format="json"
    ).json()
    cycle = client.patch(
        f"/api/v1/subtasks/{first['id']}/", {"depends_on": [second["id"]]}, format="json"
    )
    assert cycle.status_code == 400
    assert "circle" in cycle.json()["depends_on"][0]


def test_transitions_are_idempotent(ticket, agent, kinds, collaborator):
    subtask = subtask_create(
        ticket=ticket, actor=agent, title="Fix", kind=kinds["Other"], assignee_user=collaborator
    )
    client = api(collaborator)
    url = f"/api/v1/subtasks/{subtask.pk}/transition/"
    assert client.post(url, {"status": "done", "note": "ok"}).json() == {
        "changed": True,
        "status": "done",
    }
    assert client.post(url, {"status": "wont_do", "note": "x"}).json() == {
        "changed": False,
        "status": "done",
    }
    assert client.post(url, {"status": "reopened"}).status_code == 400


def test_a_collaborator_sees_only_their_tasks_and_the_shared_parts(
    ticket,
    agent,
    kinds,
    collaborator,
    other_collaborator,
    reply,
    note,
    url,
    django_assert_max_num_queries,
):
    mine = subtask_create(
        ticket=ticket,
        actor=agent,
        title="Mine",
        kind=kinds["Other"],
        assignee_user=collaborator,
        shared_comment_ids=[reply.pk],
        share_description=False,
    )
    theirs = subtask_create(
        ticket=ticket,
        actor=agent,
        title="Theirs",
        kind=kinds["Other"],
        assignee_user=other_collaborator,
        shared_comment_ids=[note.pk],
    )
    client = api(collaborator)
    with django_assert_max_num_queries(8):  # 2 of them: the threads
        listed = client.get("/api/v1/subtasks/mine/").json()
    assert [t["title"] for t in listed["results"]] == ["Mine"]
    task = listed["results"][0]
    assert task["ticket"] == {"reference": ticket.reference, "subject": ticket.subject}
    assert [c["body"] for c in task["shared_comments"]] == [reply.body]
    assert "SECRET" not in str(listed)

    assert client.get(f"/api/v1/subtasks/{mine.pk}/").json()["title"] == "Mine"
    assert client.get(f"/api/v1/subtasks/{theirs.pk}/").status_code == 404
    assert (
        client.post(f"/api/v1/subtasks/{theirs.pk}/transition/", {"status": "done"}).status_code
        == 404
    )
    assert client.patch(f"/api/v1/subtasks/{mine.pk}/", {"title": "x"}).status_code == 404
    assert client.get(url).status_code == 404
    assert client.post(url, {"title": "x", "kind": kinds["Other"].pk}).status_code == 404
    assert Subtask.objects.get(pk=theirs.pk).status == Status.OPEN


def test_strangers_and_anonymous_callers_learn_nothing(ticket, agent, kinds, url):
    subtask = subtask_create(ticket=ticket, actor=agent, title="Fix", kind=kinds["Other"])
    stranger = api(UserFactory())
    assert stranger.get(url).status_code == 404
    assert stranger.get(f"/api/v1/subtasks/{subtask.pk}/").status_code == 404
    assert APIClient().get("/api/v1/subtasks/mine/").status_code in (401, 403)
