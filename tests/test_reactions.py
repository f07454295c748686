"""The backbone: a change to a ticket is one update, one set of events, and each app's reaction
once — measured as the queries a person's request costs on a configured desk."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.routing.rules import rule_create
from apps.sla.models import Clock
from apps.subtasks.models import Subtask
from apps.tickets import events
from apps.tickets.models import Priority, Ticket
from apps.tickets.services import comment_add, ticket_create, ticket_update
from tests.sla.conftest import FR, NR, RES
from tests.sla.factories import OFFICE_HOURS, calendar_with, policy_with
from tests.subtasks.factories import template_with_items

from .conftest import signed_in

pytestmark = pytest.mark.django_db

PORTAL_CREATE_BUDGET = 35
REPLY_BUDGET = 20


@pytest.fixture
def configured_desk(team, lookups, admin_user, triage_team):
    """One rule that places sign-in tickets with the Service Desk, raises them and applies a
    subtask template (one item for a named person); one active SLA policy."""
    template = template_with_items()
    rule_create(
        actor=admin_user,
        data={
            "name": "Tills to the Service Desk",
            "conditions": {
                "all": [{"field": "category", "op": "equals", "value": "Cannot sign in"}]
            },
            "actions": [
                {"action": "set_team", "params": {"team": team.pk}},
                {"action": "set_priority", "params": {"priority": Priority.HIGH}},
                {"action": "create_subtasks_from_template", "params": {"template": template.pk}},
            ],
        },
    )
    calendar = calendar_with("Office", OFFICE_HOURS, time_zone="UTC")
    policy_with(
        "Standard",
        calendar,
        {
            (metric, priority): minutes
            for priority in Priority.values
            for metric, minutes in ((FR, 120), (NR, 240), (RES, 960))
        },
    )
    return lookups


def portal_post(client, lookups, subject="Till 3 will not sign in"):
    return client.post(
        reverse("portal:new"),
        {
            "subject": subject,
            "description": "The till shows 'invalid user' since this morning.",
            "category": lookups["category"].pk,
            "location": lookups["location"].pk,
            "product": lookups["product"].pk,
        },
    )


def request_queries(queries) -> list[str]:
    """The SQL a request sends, less the savepoint pair standing in, under the test's own
    transaction, for the request's BEGIN and COMMIT."""
    sql = [q["sql"] for q in queries]
    outer = next((i for i, q in enumerate(sql) if q.startswith("SAVEPOINT")), None)
    if outer is not None and sql[-1] == "RELEASE " + sql[outer]:
        del sql[-1], sql[outer]
    return sql


def test_a_portal_ticket_on_a_configured_desk_stays_within_its_query_budget(
    configured_desk, requester, django_capture_on_commit_callbacks
):
    client = signed_in(requester)
    portal_post(client, configured_desk, subject="Warm-up")  # caches: rules, calendars
    # What the web process does; the e-mails and links go out from a worker after commit.
    with (
        django_capture_on_commit_callbacks(execute=False),
        CaptureQueriesContext(connection) as queries,
    ):
        response = portal_post(client, configured_desk)

    assert response.status_code == 302
    ticket = Ticket.objects.latest("pk")
    # Everything the rule and the policy promise happened …
    assert ticket.team.name == "Service Desk"
    assert ticket.priority == Priority.HIGH
    assert Subtask.objects.filter(ticket=ticket).count() == 3
    assert set(Clock.objects.filter(ticket=ticket).values_list("metric", flat=True)) == {FR, RES}
    # … in one update of the ticket and one set of events.
    kinds = list(ticket.events.values_list("kind", flat=True))
    assert kinds.count("changed") == 1
    assert kinds[:2] == ["created", "changed"]
    sql = request_queries(queries)
    print(f"portal_create_queries={len(sql)}")
    assert len(sql) <= PORTAL_CREATE_BUDGET, "\n".join(q[:160] for q in sql)


def test_an_agents_reply_stays_within_its_query_budget(
    configured_desk, requester, agent, django_capture_on_commit_callbacks
):
    ticket = ticket_create(
        requester=requester, subject="Till 3", description="Broken.", **configured_desk
    )
    client = signed_in(agent)
    comment_add(ticket=ticket, author=agent, body="Looking.")  # the first response is given
    # What the web process does; the e-mails and links go out from a worker after commit.
    with (
        django_capture_on_commit_callbacks(execute=False),
        CaptureQueriesContext(connection) as queries,
    ):
        response = client.post(
            reverse("workspace:reply", args=[ticket.reference]),
            {"body": "Please restart the till and try again.", "visibility": "public"},
        )

    assert response.status_code == 302
    assert ticket.comments.count() == 2
    sql = request_queries(queries)
    print(f"reply_queries={len(sql)}")
    assert len(sql) <= REPLY_BUDGET, "\n".join(q[:160] for q in sql)


def test_each_reaction_runs_once_per_ticket_per_change_in_order(
    configured_desk, requester, monkeypatch
):
    seen = []

    def spy(name):
        def record(ticket, batch):
            seen.append((name, ticket.pk, [e.kind for e in batch]))

        return record

    for name, order in (("test.first", 1), ("test.last", 1000)):
        spy_reaction = events.Reaction(name, order, spy(name))
        monkeypatch.setitem(events._reactions, name, spy_reaction)

    ticket = ticket_create(
        requester=requester, subject="Till 3", description="Broken.", **configured_desk
    )

    first = [s for s in seen if s[0] == "test.first"]
    last = [s for s in seen if s[0] == "test.last"]
    # The first reaction saw the ticket as its service left it: created, nothing else yet.
    assert first[0] == ("test.first", ticket.pk, ["created"])
    # Routing (and the template, SLA…) recorded more; the first reaction is handed only those,
    # once, in a second pass; the last reaction saw all of it in one call.
    assert [kind for s in first for kind in s[2]].count("created") == 1
    assert len(last) == 1
    assert last[0][2][:2] == ["created", "changed"]
    assert last[0][2].count("created") == 1
    assert "routed" in last[0][2]


def test_a_failing_reaction_rolls_the_whole_change_back(requester, monkeypatch, triage_team):
    def explode(ticket, batch):
        raise RuntimeError("a reaction failed")

    monkeypatch.setitem(
        events._reactions, "test.explode", events.Reaction("test.explode", 1, explode)
    )
    before = Ticket.objects.count()
    with pytest.raises(RuntimeError):
        ticket_create(requester=requester, subject="Lost?", description="Must not half-exist.")
    assert Ticket.objects.count() == before


def test_a_refused_change_inside_a_larger_one_records_nothing(requester, agent, team):
    """A service that raised inside another discards its events; the caller that carries on
    holds a savepoint, as routing does around each action."""
    from django.db import transaction

    from apps.core.errors import ApplicationError

    ticket = ticket_create(requester=requester, subject="Till 3", description="Broken.")
    with events.ticket_transaction():
        ticket_update(ticket=ticket, actor=agent, data={"team": team})
        with pytest.raises(ApplicationError), transaction.atomic():
            ticket_update(ticket=ticket, actor=agent, data={"tags": ["ok"], "priority": 99})
        seen = list(events._scopes()[-1])
    assert [e.kind for e in seen] == ["changed"]
    assert not ticket.tags.exists()


def test_no_app_can_record_an_undeclared_kind(requester, triage_team):
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Rogue:
        what: str

    ticket = ticket_create(requester=requester, subject="Till 3", description="Broken.")
    with pytest.raises(TypeError, match="not a declared"):
        events.event_record(ticket=ticket, payload=Rogue(what="x"))


# Every kind in the demo's history is declared: tests/test_demo_data.py (one demo load).
