"""The subtask pages of Django admin read a fixed number of queries, however many subtasks and
comments the desk holds, and name what a subtask waits for and what it shares."""

import pytest

from apps.subtasks.services import subtask_create
from apps.tickets.services import comment_add
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(admin_user):
    return signed_in(admin_user)


def make_subtasks(*, ticket, agent, kinds, collaborator, count: int) -> list:
    """``count`` subtasks, each sharing a comment and waiting for the one before."""
    made = []
    for n in range(count):
        comment = comment_add(ticket=ticket, author=agent, body=f"Finding number {n}")
        made.append(
            subtask_create(
                ticket=ticket,
                actor=agent,
                title=f"Fix batch {n}",
                kind=kinds["Data fix"],
                assignee_user=collaborator if n % 2 else None,
                assignee_team=None if n % 2 else agent.teams.first(),
                depends_on=made[-1:],
                shared_comment_ids=[comment.pk],
            )
        )
    return made


@pytest.mark.parametrize("count", [2, 25])
def test_the_subtask_list_and_page_cost_the_same_for_few_and_many(
    admin_client, ticket, agent, kinds, collaborator, count, django_assert_max_num_queries
):
    subtasks = make_subtasks(
        ticket=ticket, agent=agent, kinds=kinds, collaborator=collaborator, count=count
    )

    with django_assert_max_num_queries(8):
        listing = admin_client.get("/admin/subtasks/subtask/")
    with django_assert_max_num_queries(8):
        page = admin_client.get(f"/admin/subtasks/subtask/{subtasks[-1].pk}/change/")

    assert listing.status_code == page.status_code == 200
    assert listing.content.decode().count('<th class="field-title">') == count


def test_the_change_page_names_what_a_subtask_waits_for_and_shares(
    admin_client, ticket, agent, kinds, collaborator
):
    _first, second = make_subtasks(
        ticket=ticket, agent=agent, kinds=kinds, collaborator=collaborator, count=2
    )

    page = admin_client.get(f"/admin/subtasks/subtask/{second.pk}/change/").content.decode()

    assert "Fix batch 0 (Open)" in page
    assert "Alex Agent: Finding number 1" in page
    # Read-only: no select of every subtask and comment of the desk.
    assert 'name="depends_on"' not in page
    assert 'name="shared_comments"' not in page
