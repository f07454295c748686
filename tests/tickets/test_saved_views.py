"""Saved views of the queue: an agent names the filters and sort in force, finds them as chips
above the queue, opens, renames and deletes them. Each agent's are their own."""

from urllib.parse import parse_qsl

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.tickets.models import Priority, SavedView, Status
from apps.tickets.saved_views.queries import queue_query_clean
from tests.conftest import signed_in
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

QUEUE = "/desk/"
SAVE = reverse("saved_views:create")
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def tickets(team, agent):
    return {
        "urgent": TicketFactory(team=team, priority=Priority.URGENT, status=Status.OPEN),
        "mine": TicketFactory(team=team, assignee=agent, status=Status.OPEN),
        "done": TicketFactory(team=team, status=Status.RESOLVED),
    }


def refs(response) -> list[str]:
    return sorted(t.reference for t in response.context["page"].object_list)


def chips(response) -> list[tuple[str, bool]]:
    return [(c["view"].name, c["active"]) for c in response.context["saved_views"]]


def test_saving_keeps_only_the_queues_own_parameters(agent_client, agent):
    query = "priority=4&page=3&sort=oldest&q=+printer+&flag_was=&evil=%3Cscript%3E&tier="

    response = agent_client.post(SAVE, {"name": "Urgent printers", "query": query})

    view = SavedView.objects.get(user=agent)
    assert view.name == "Urgent printers"
    # The queue reads no status as "active": the view says so, so it opens the same later.
    assert dict(parse_qsl(view.query, keep_blank_values=True)) == {
        "q": "printer",
        "status": "active",
        "priority": "4",
        "sort": "oldest",
    }
    assert response.status_code == 302
    assert response["Location"] == f"{QUEUE}?{view.query}"


def test_an_empty_status_meaning_any_is_kept(agent):
    assert queue_query_clean({"status": ""}) == "status="
    assert queue_query_clean({}) == "status=active"


def test_an_unknown_quick_filter_is_left_out():
    assert "flag" not in queue_query_clean({"flag": "no-such-filter"})


def test_with_htmx_the_filters_as_they_are_now_are_saved(agent_client, agent, tickets):
    """The save form sends the filter controls along (hx-include): the page's query string
    may be older than what the agent has chosen since."""
    controls = {"status": "active", "priority": "4", "sort": "", "tier": "", "per": "25"}
    form = {"name": "Urgent", "query": "status=active", "flag_was": "", **controls}

    response = agent_client.post(SAVE, form, **HTMX)

    assert response.status_code == 200
    view = SavedView.objects.get(user=agent)
    assert dict(parse_qsl(view.query)) == {"status": "active", "priority": "4"}
    page = response.content.decode()
    assert 'id="saved-views"' in page
    assert 'class="view-chip active"' in page
    assert "Saved “Urgent”." in page
    # The page size the queue uses anyway is no difference: the plain link lights the chip.
    assert chips(agent_client.get(QUEUE, {"priority": "4"})) == [("Urgent", True)]


def test_my_views_are_chips_above_the_queue_and_open_what_they_saved(
    agent_client, agent, other_agent, tickets
):
    SavedView.objects.create(user=agent, name="Urgent", query="status=active&priority=4")
    SavedView.objects.create(user=agent, name="Mine", query="status=active&assignee=me")
    SavedView.objects.create(user=other_agent, name="Networks only", query="status=")

    queue = agent_client.get(QUEUE)
    assert chips(queue) == [("Mine", False), ("Urgent", False)]
    assert "Networks only" not in queue.content.decode()

    opened = agent_client.get(f"{QUEUE}?status=active&priority=4")
    assert refs(opened) == [tickets["urgent"].reference]
    assert chips(opened) == [("Mine", False), ("Urgent", True)]
    assert 'aria-current="true">Urgent</a>' in opened.content.decode()


def test_the_chip_follows_the_filters_changed_in_place(agent_client, agent, tickets):
    SavedView.objects.create(user=agent, name="Urgent", query="status=active&priority=4")

    response = agent_client.get(QUEUE, {"status": "active", "priority": "4"}, **HTMX)

    page = response.content.decode()
    assert 'id="saved-views" hx-swap-oob="true"' in page
    assert 'class="view-chip active"' in page


def test_a_name_is_needed_and_used_once(agent_client, agent):
    SavedView.objects.create(user=agent, name="Urgent", query="priority=4")

    empty = agent_client.post(SAVE, {"name": "  ", "query": "priority=3"}, **HTMX)
    again = agent_client.post(SAVE, {"name": "Urgent", "query": "priority=3"}, **HTMX)

    assert "Give the view a name." in empty.content.decode()
    assert "You already have a view called “Urgent”." in again.content.decode()
    assert SavedView.objects.filter(user=agent).count() == 1


def test_two_agents_may_each_have_a_view_of_the_same_name(agent_client, agent, other_agent):
    SavedView.objects.create(user=other_agent, name="Urgent", query="priority=4")

    agent_client.post(SAVE, {"name": "Urgent", "query": "priority=4"})

    assert SavedView.objects.filter(name="Urgent").count() == 2


def test_an_agent_renames_and_deletes_a_view(agent_client, agent):
    view = SavedView.objects.create(user=agent, name="Urgent", query="priority=4")

    agent_client.post(reverse("saved_views:rename", args=[view.pk]), {"name": "On fire"})
    view.refresh_from_db()
    assert view.name == "On fire"
    listed = agent_client.get(reverse("saved_views:list"))
    assert list(listed.context["views"]) == [view]

    agent_client.post(reverse("saved_views:delete", args=[view.pk]))
    assert not SavedView.objects.filter(pk=view.pk).exists()


def test_another_agent_can_neither_see_rename_nor_delete_my_view(agent, other_agent, lead):
    mine = SavedView.objects.create(user=agent, name="Urgent", query="priority=4")
    for colleague in (other_agent, lead):  # another team's agent, and my own team's lead
        client = signed_in(colleague)

        assert "Urgent" not in client.get(reverse("saved_views:list")).content.decode()
        rename = client.post(reverse("saved_views:rename", args=[mine.pk]), {"name": "Mine"})
        delete = client.post(reverse("saved_views:delete", args=[mine.pk]))

        assert (rename.status_code, delete.status_code) == (404, 404)
    mine.refresh_from_db()
    assert mine.name == "Urgent"


def test_a_requester_saves_no_view(requester_client, requester):
    response = requester_client.post(SAVE, {"name": "Mine", "query": "priority=4"})

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:tickets")
    assert not SavedView.objects.exists()


def test_the_queue_costs_the_same_queries_with_no_views_and_many(agent, team, tickets):
    client = signed_in(agent)

    def cost() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(QUEUE).status_code == 200
        return len(queries)

    cost()  # lists read their lookups once per process after a change (apps.tickets.rows)
    none = cost()
    SavedView.objects.bulk_create(
        [SavedView(user=agent, name=f"View {i}", query=f"priority={i % 4 + 1}") for i in range(30)]
    )
    many = cost()

    assert none == many
