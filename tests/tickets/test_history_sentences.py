"""The agent's history reads as sentences: every kind of event, never a payload key or an id."""

import dataclasses
import re
import typing

import pytest
from django.urls import reverse

from apps.tickets import history
from apps.tickets.events import declared_kinds
from apps.tickets.models import Priority, TicketEvent
from apps.tickets.services import comment_add, ticket_create, ticket_update

pytestmark = pytest.mark.django_db

SAMPLES = {str: "Till 4", int: 7, float: 12.96, bool: True}


def _sample(tp):
    """A value of a payload field's type, the way a real event would carry it."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (list, tuple):
        return [_sample(args[0]) if args else "Till 4"]
    if args:  # X | None
        return _sample(next(a for a in args if a is not type(None)))
    return SAMPLES.get(tp, "Till 4")


def _payload(cls):
    hints = typing.get_type_hints(cls)
    return cls(**{f.name: _sample(hints[f.name]) for f in dataclasses.fields(cls)})


def _history_text(client, ticket) -> str:
    html = client.get(reverse("workspace:ticket", args=[ticket.reference])).content.decode()
    start = html.index('id="history"')
    return re.sub(r"<[^>]+>", " ", html[start : html.index("</section>", start)])


def test_every_kind_of_event_reads_as_a_sentence(requester, agent, team, agent_client):
    ticket = ticket_create(requester=requester, subject="Till offline", description="No network.")
    ticket_update(ticket=ticket, actor=agent, data={"team": team})
    kinds = declared_kinds()
    # Stored as they are, without the reactions a real change would run (the samples are made up).
    TicketEvent.objects.bulk_create(
        TicketEvent(
            ticket=ticket,
            kind=kind,
            actor=agent,
            data=dataclasses.asdict(_payload(cls)),
            changes={"root_cause": {"before": None, "after": "Wi-Fi"}},
        )
        for kind, cls in kinds.items()
    )
    TicketEvent.objects.create(ticket=ticket, kind="retired_kind", data={"legacy_id": 4})

    text = _history_text(agent_client, ticket)

    assert len(kinds) >= 30  # the apps' kinds are all declared (and so all rendered above)
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), "a snake_case key reached the page"
    assert not re.search(r"\b[a-z_]+:[a-z_]+\b", text), "an internal key reached the page"
    assert "Ms:" not in text
    assert "Source:" not in text
    assert "{" not in text
    assert "12.96" not in text  # routing's timing is for machines
    assert f"Root cause set to Wi-Fi by {agent.get_full_name()}" in text
    assert "Updated by Switchboard" in text  # the retired kind


def test_what_happened_to_a_ticket_in_plain_words(requester, agent, team, agent_client):
    ticket = ticket_create(requester=requester, subject="Visa declined", description="All day.")
    ticket_update(ticket=ticket, actor=agent, data={"team": team})
    ticket_update(ticket=ticket, actor=agent, data={"priority": Priority.HIGH})
    comment_add(ticket=ticket, author=agent, body="Looking.", internal=True)

    text = " ".join(_history_text(agent_client, ticket).split())

    name = agent.get_full_name()
    assert f"Priority changed from Normal to High by {name}" in text
    assert f"Team set to {team.name} by {name}" in text
    assert f"Internal note by {name}" in text
    assert f"Opened by {requester.get_full_name()} on the web" in text


def test_rules_and_escalations_are_named(requester, agent):
    class Event:  # the shape the history reads: a kind, a payload, who, what changed
        def __init__(self, kind, data, actor=None, changes=None):
            self.kind, self.data, self.actor, self.changes = kind, data, actor, changes or {}

    routed = Event(
        "routed",
        {
            "decision_id": 1,
            "trigger": "created",
            "rules": ["Wi-Fi at stores"],
            "team": "Networks",
            "routed": True,
            "ms": 12.96,
        },
    )
    escalated = Event(
        "escalated",
        {
            "escalation_id": 1,
            "from_team": "Service Desk",
            "from_tier": 2,
            "to_team": "Payments Engineering",
            "to_tier": 3,
            "reason": "needs the order id",
        },
        actor=agent,
    )
    breached = Event("sla_breached", {"target": "First response", "policy": "Standard"})
    by_rule = Event(
        "changed",
        {"source": "rule: Wi-Fi at stores", "assignee_id": None},
        changes={"priority": {"before": 2, "after": 3}},
    )

    assert history.describe(routed).text == "Routed to Networks by rule “Wi-Fi at stores”"
    assert history.describe(escalated).text == (
        f"Escalated to Payments Engineering tier 3 by {agent.get_full_name()}: needs the order id"
    )
    assert history.describe(breached).text == (
        "SLA first response target breached (policy “Standard”)"
    )
    assert history.describe(by_rule).text == (
        "Priority changed from Normal to High by rule “Wi-Fi at stores”"
    )
    assert history.describe(Event("gone", {"x_id": 3})).text == "Updated by Switchboard"


def test_the_requester_portal_shows_no_history(requester, agent, team, client):
    ticket = ticket_create(requester=requester, subject="Till offline", description="No network.")
    ticket_update(ticket=ticket, actor=agent, data={"team": team, "priority": Priority.HIGH})
    client.force_login(requester)

    html = client.get(reverse("portal:ticket", args=[ticket.reference])).content.decode()

    assert 'id="history"' not in html
    assert "Priority changed" not in html
