"""The agent workspace: the team queue, its filters, and working a ticket from its page."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.tickets import extensions
from apps.tickets.models import Priority, Status
from apps.tickets.services import comment_add, ticket_create, ticket_update
from tests.conftest import signed_in
from tests.factories import (
    CategoryFactory,
    CommentFactory,
    MembershipFactory,
    TeamFactory,
    TicketFactory,
    UserFactory,
    agent_of,
)

pytestmark = pytest.mark.django_db

QUEUE = "/desk/"


def desk_url(ticket, name="workspace:ticket"):
    return reverse(name, args=[ticket.reference])


def refs(response) -> list[str]:
    return [t.reference for t in response.context["page"].object_list]


@pytest.fixture
def tickets(team, other_team, requester, agent):
    """Some of the Service Desk's tickets, and one of Networks' the desk agent must not see."""
    return {
        "new": TicketFactory(team=team, requester=requester, subject="Printer jams on tray 2"),
        "mine": TicketFactory(
            team=team, status=Status.OPEN, assignee=agent, priority=Priority.URGENT
        ),
        "pending": TicketFactory(team=team, status=Status.PENDING, subject="Waiting on photo"),
        "resolved": TicketFactory(team=team, status=Status.RESOLVED),
        "elsewhere": TicketFactory(team=other_team, subject="Switch port flapping"),
    }


def test_a_requester_is_sent_away_from_the_desk(requester_client, tickets):
    response = requester_client.get(QUEUE)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:tickets")


def test_a_requester_gets_404_for_the_desk_ticket_page_even_of_their_own_ticket(
    requester_client, tickets
):
    assert requester_client.get(desk_url(tickets["new"])).status_code == 404


def test_an_agent_of_another_team_gets_404(other_agent, tickets):
    client = signed_in(other_agent)
    assert client.get(desk_url(tickets["new"])).status_code == 404
    assert client.post(desk_url(tickets["new"], "workspace:take")).status_code == 404


def test_the_queue_shows_the_active_tickets_of_my_teams(agent_client, tickets):
    response = agent_client.get(QUEUE)

    assert set(refs(response)) == {tickets[k].reference for k in ("new", "mine", "pending")}
    assert response.context["filter"].form["status"].value() == "active"


def test_any_status_includes_resolved_tickets(agent_client, tickets):
    response = agent_client.get(QUEUE, {"status": ""})
    assert tickets["resolved"].reference in refs(response)
    assert tickets["elsewhere"].reference not in refs(response)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"assignee": "me"}, ["mine"]),
        ({"assignee": "none"}, ["new", "pending"]),
        ({"priority": Priority.URGENT}, ["mine"]),
        ({"status": Status.PENDING}, ["pending"]),
        ({"q": "tray 2"}, ["new"]),
        ({"q": "switch port"}, []),
    ],
)
def test_queue_filters(agent_client, tickets, params, expected):
    response = agent_client.get(QUEUE, params)
    assert sorted(refs(response)) == sorted(tickets[k].reference for k in expected)


def test_search_by_tracking_number(agent_client, tickets):
    ticket = tickets["pending"]
    response = agent_client.get(QUEUE, {"q": ticket.reference.lower()})
    assert refs(response) == [ticket.reference]


def test_a_lead_sees_all_their_teams_and_can_narrow_to_one(team, other_team, tickets):
    lead = agent_of(team, email="two-hats@example.com", lead=True)
    MembershipFactory(user=lead, team=other_team, is_lead=True)
    client = signed_in(lead)

    everything = refs(client.get(QUEUE))
    networks = refs(client.get(QUEUE, {"team": other_team.pk}))

    assert tickets["elsewhere"].reference in everything
    assert tickets["new"].reference in everything
    assert networks == [tickets["elsewhere"].reference]


def test_a_team_outside_mine_is_not_offered(agent_client, other_team, tickets):
    response = agent_client.get(QUEUE, {"team": other_team.pk})
    assert tickets["elsewhere"].reference not in refs(response)


def test_queue_pages_by_the_chosen_size(agent_client, team):
    TicketFactory.create_batch(60, team=team)

    first = agent_client.get(QUEUE)
    fifty = agent_client.get(QUEUE, {"per": 50, "page": 2})
    silly = agent_client.get(QUEUE, {"per": 7})

    assert len(refs(first)) == 25
    assert len(refs(fifty)) == 10
    assert len(refs(silly)) == 25


def test_an_htmx_filter_change_returns_only_the_table(agent_client, tickets):
    response = agent_client.get(QUEUE, {"assignee": "me"}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert "<html" not in html
    assert 'id="queue-filters"' not in html
    assert tickets["mine"].reference in html


def test_the_full_queue_page_works_without_javascript(agent_client, tickets):
    html = agent_client.get(QUEUE, {"assignee": "me"}).content.decode()
    assert '<form id="queue-filters"' in html
    assert 'method="get"' in html
    assert 'hx-target="#queue-results"' in html


def queue_queries(client, per_page) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(QUEUE, {"per": per_page})
    assert len(refs(response)) == per_page
    return len(ctx.captured_queries)


def test_the_queue_costs_the_same_queries_for_25_and_100_rows(agent, team, monkeypatch):
    column = extensions.QueueColumn(
        name="age",
        header="Age",
        cell=lambda ticket: ticket.age_key.isoformat(),
        annotate=lambda qs: qs.annotate(age_key=F("created_at")),
        sortable="age_key",
    )
    monkeypatch.setitem(extensions._queue_columns, column.name, column)
    requesters = UserFactory.create_batch(5)
    for i in range(100):
        TicketFactory(team=team, requester=requesters[i % 5], assignee=agent if i % 2 else None)
    client = signed_in(agent)
    client.get(QUEUE)  # lists read their lookups once per process after a change

    small, large = queue_queries(client, 25), queue_queries(client, 100)

    assert small == large
    assert large <= 12


def test_a_sortable_queue_column_is_offered_and_sorts(agent_client, team, monkeypatch):
    column = extensions.QueueColumn(
        name="oldest_first",
        header="Opened",
        cell=lambda ticket: ticket.opened_key.isoformat(),
        annotate=lambda qs: qs.annotate(opened_key=F("created_at")),
        sortable="opened_key",
    )
    monkeypatch.setitem(extensions._queue_columns, column.name, column)
    newer = TicketFactory(team=team)
    older = TicketFactory(team=team, created_at=newer.created_at - timedelta(days=1))

    response = agent_client.get(QUEUE, {"sort": "oldest_first"})

    assert refs(response) == [older.reference, newer.reference]
    assert '<option value="oldest_first" selected>Opened</option>' in response.content.decode()


def test_a_quick_filter_narrows_the_queue(agent_client, tickets, monkeypatch):
    flag = extensions.QueueFilter(
        name="pending_only",
        label="Waiting on requester",
        apply=lambda qs: qs.filter(status="pending"),
    )
    monkeypatch.setitem(extensions._queue_filters, flag.name, flag)

    response = agent_client.get(QUEUE, {"flag": "pending_only"})

    assert refs(response) == [tickets["pending"].reference]
    assert "Waiting on requester" in response.content.decode()


def test_the_ticket_page_costs_the_same_queries_however_long_the_thread(
    agent, agent_client, requester, team
):
    ticket = ticket_create(requester=requester, subject="Slow Wi-Fi", description="In room 4.")
    ticket_update(ticket=ticket, actor=agent, data={"team": team, "tags": ["wifi"]})

    def page_queries():
        with CaptureQueriesContext(connection) as ctx:
            assert agent_client.get(desk_url(ticket)).status_code == 200
        return len(ctx.captured_queries)

    CommentFactory(ticket=ticket)
    few = page_queries()
    CommentFactory.create_batch(10, ticket=ticket, author=agent, is_internal=True)
    CommentFactory.create_batch(10, ticket=ticket)

    assert page_queries() == few


def test_thread_shows_replies_and_internal_notes_differently(agent, agent_client, requester, team):
    ticket = ticket_create(requester=requester, subject="Card declined", description="Twice.")
    ticket_update(ticket=ticket, actor=None, data={"team": team})
    comment_add(ticket=ticket, author=agent, body="Public answer", internal=False)
    comment_add(ticket=ticket, author=agent, body="Private musing", internal=True)

    html = agent_client.get(desk_url(ticket)).content.decode()

    assert "Public answer" in html
    assert 'class="message internal"' in html
    assert "Private musing" in html


def test_an_agent_takes_a_ticket(agent, agent_client, tickets):
    ticket = tickets["new"]

    response = agent_client.post(desk_url(ticket, "workspace:take"), follow=True)

    ticket.refresh_from_db()
    assert ticket.assignee == agent
    assert ticket.status == Status.OPEN
    assert "is now assigned to you" in response.content.decode()


def test_changing_properties_in_place_records_history(agent, agent_client, requester, team):
    ticket = ticket_create(requester=requester, subject="Broken chair", description="Wobbly.")
    ticket_update(ticket=ticket, actor=None, data={"team": team})

    response = agent_client.post(
        desk_url(ticket, "workspace:properties"),
        {
            "status": Status.PENDING,
            "priority": Priority.HIGH,
            "tier": 1,
            "team": team.pk,
            "assignee": agent.pk,
            "tags": "Furniture, office",
        },
        HTTP_HX_REQUEST="true",
    )

    html = response.content.decode()
    assert "<html" not in html
    assert 'id="ticket-header" hx-swap-oob="true"' in html
    assert "Saved:" in html
    assert "Pending on requester" in html
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.assignee) == (Status.PENDING, 3, agent)
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["furniture", "office"]
    event = ticket.events.latest("id")
    assert event.actor == agent
    assert event.changes["priority"] == {"before": 2, "after": 3}
    assert "priority changed from Normal to High" in html


def test_a_blocked_resolve_shows_the_guards_reason_beside_status(
    agent_client, requester, team, monkeypatch
):
    monkeypatch.setitem(
        extensions._resolve_guards, "subtasks", lambda ticket: ["2 blocking subtasks are open"]
    )
    ticket = ticket_create(requester=requester, subject="Refund", description="Order 55.")
    ticket_update(ticket=ticket, actor=None, data={"team": team})

    response = agent_client.post(
        desk_url(ticket, "workspace:properties"),
        {
            "status": Status.RESOLVED,
            "resolution": "information",
            "priority": ticket.priority,
            "tier": 1,
            "team": team.pk,
        },
        HTTP_HX_REQUEST="true",
    )

    assert "2 blocking subtasks are open" in response.context["props_form"].errors["status"][0]
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


def test_history_reads_each_event_as_its_kind_declares(agent_client, requester, team):
    from apps.sla.events import Breached
    from apps.tickets.events import event_record

    ticket = ticket_create(requester=requester, subject="Locked out", description="Again.")
    ticket_update(ticket=ticket, actor=None, data={"team": team}, source="rule 4")
    event_record(ticket=ticket, payload=Breached(target="First response", policy="Standard"))

    html = agent_client.get(desk_url(ticket)).content.decode()

    assert "SLA first response target breached (policy “Standard”)" in html
    assert "Team set to Service Desk by rule 4" in html
    assert "Source:" not in html


def test_the_assignee_choices_are_the_agents_of_the_tickets_team(agent, team):
    ticket = TicketFactory(team=team)
    colleague = agent_of(team, email="colleague@example.com", full_name="Cora Colleague")
    outsider = agent_of(TeamFactory(), email="outsider@example.com", full_name="Otto Outsider")

    response = signed_in(agent).get(desk_url(ticket))

    choices = list(response.context["props_form"].fields["assignee"].queryset)
    assert colleague in choices
    assert agent in choices
    assert outsider not in choices


def test_a_ticket_listed_in_the_queue_links_to_its_page(agent_client, tickets):
    html = agent_client.get(QUEUE).content.decode()
    assert desk_url(tickets["new"]) in html


def test_moving_a_ticket_to_another_team_sends_the_agent_back_to_the_queue(
    agent_client, other_team, team, tickets
):
    ticket = tickets["new"]

    response = agent_client.post(
        desk_url(ticket, "workspace:properties"),
        {"status": ticket.status, "priority": ticket.priority, "tier": 1, "team": other_team.pk},
        HTTP_HX_REQUEST="true",
    )

    assert response["HX-Redirect"] == QUEUE
    ticket.refresh_from_db()
    assert ticket.team == other_team
    assert agent_client.get(desk_url(ticket)).status_code == 404


def test_an_admin_sees_every_team_and_may_narrow_to_one(admin_user, other_team, tickets):
    client = signed_in(admin_user)

    everything = client.get(QUEUE)
    networks = client.get(QUEUE, {"team": other_team.pk})

    assert tickets["elsewhere"].reference in refs(everything)
    assert tickets["new"].reference in refs(everything)
    assert "All teams" in everything.content.decode()
    assert refs(networks) == [tickets["elsewhere"].reference]


def test_resolving_on_the_web_asks_how_it_was_resolved(agent, agent_client, requester, team):
    """Leads count "closed by sharing information" from it: the form does not resolve without."""
    ticket = ticket_create(requester=requester, subject="Printer", description="Offline.")
    ticket_update(ticket=ticket, actor=None, data={"team": team})
    form = {"status": Status.RESOLVED, "priority": ticket.priority, "team": team.pk}
    response = agent_client.post(desk_url(ticket, "workspace:properties"), form)
    assert response.context["props_form"].errors["resolution"] == ["Say how it was resolved."]
    ticket.refresh_from_db()
    assert ticket.status != Status.RESOLVED

    agent_client.post(
        desk_url(ticket, "workspace:properties"), {**form, "resolution": "documentation"}
    )
    ticket.refresh_from_db()
    assert (ticket.status, ticket.resolution) == (Status.RESOLVED, "documentation")


def test_every_queue_cell_escapes_what_people_typed(agent, team):
    """The queue's rows are written in Python, not by the template language: each value must
    still reach the page escaped, the feature columns' included."""
    hostile = '<img src=x onerror="alert(1)">'
    team.name = f"Team {hostile}"
    team.save()
    holder = UserFactory(full_name=f"Holder {hostile}")
    MembershipFactory(user=holder, team=team)
    requester = UserFactory(full_name=f"Requester {hostile}")
    assignee = agent_of(team, full_name=f"Agent {hostile}")
    ticket = TicketFactory(
        team=team,
        requester=requester,
        assignee=assignee,
        holder=holder,
        subject=f"Subject {hostile}",
        category=CategoryFactory(name=f"Category {hostile}"),
    )

    page = signed_in(agent).get(QUEUE).content.decode()

    assert "<img" not in page
    for who in ("Team", "Holder", "Requester", "Agent", "Subject", "Category"):
        assert f"{who} &lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page
    assert f'href="/desk/tickets/{ticket.reference}/"' in page
