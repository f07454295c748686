"""The SLA state kept on the ticket (what the queue shows and sorts by) always says what the
ticket's clocks say: after every transition a sequence of changes puts the clocks through —
started, paused, resumed, re-targeted, breached by the sweep, met in time and late, restarted by
a reopening — the columns equal a reading of the clocks themselves."""

import pytest

from apps.sla.models import Clock, ClockState
from apps.sla.services import clock_breach, ticket_sla_state_store
from apps.tickets.models import Priority, Status, Ticket
from apps.tickets.services import comment_add, ticket_update

pytestmark = pytest.mark.django_db


def oracle(ticket: Ticket) -> dict:
    """The state read straight from the clocks, in Python."""
    clocks = list(Clock.objects.filter(ticket=ticket))
    unmet = [
        c
        for c in clocks
        if c.state in (ClockState.RUNNING, ClockState.BREACHED) and c.met_at is None
    ]
    running = sorted((c for c in clocks if c.state == ClockState.RUNNING), key=lambda c: c.due_at)
    return {
        "sla_due_at": min((c.due_at for c in unmet if c.due_at), default=None),
        "sla_warn_at": running[0].warn_at if running else None,
        "sla_breached": any(c.state == ClockState.BREACHED and c.met_at is None for c in clocks),
        "sla_paused": any(c.state == ClockState.PAUSED for c in clocks),
    }


def stored(ticket: Ticket) -> dict:
    return Ticket.objects.filter(pk=ticket.pk).values(*oracle(ticket)).get()


def test_every_clock_transition_keeps_the_tickets_sla_state(
    standard, open_ticket, agent, requester, at
):
    seen = []

    def check(step: str) -> None:
        expected = oracle(ticket)
        assert stored(ticket) == expected, step
        seen.append(tuple(expected.values()))

    with at(2026, 6, 8, 9, 0):  # Monday morning: first response and resolution start
        ticket = open_ticket()
        check("created")
        assert stored(ticket)["sla_due_at"] is not None
    with at(2026, 6, 8, 9, 30):
        ticket_update(ticket=ticket, actor=agent, data={"priority": Priority.URGENT})
        check("re-targeted by a new priority")
    with at(2026, 6, 8, 9, 45):
        ticket_update(ticket=ticket, actor=agent, data={"status": Status.PENDING})
        check("paused while pending")
        assert stored(ticket)["sla_paused"]
    with at(2026, 6, 8, 10, 0):
        comment_add(ticket=ticket, author=requester, body="Here is the screenshot.")
        ticket_update(ticket=ticket, actor=agent, data={"status": Status.OPEN})
        check("resumed")
    with at(2026, 6, 8, 16, 0):  # long past the urgent first response: the sweep breaches
        for clock in Clock.objects.filter(ticket=ticket, state=ClockState.RUNNING):
            clock_breach(clock_id=clock.pk)
        check("breached by the sweep")
        assert stored(ticket)["sla_breached"]
    with at(2026, 6, 8, 16, 5):
        comment_add(ticket=ticket, author=agent, body="Sorry for the wait, on it now.")
        check("first response met late")
    with at(2026, 6, 8, 16, 10):
        comment_add(ticket=ticket, author=requester, body="Still frozen.")
        check("a next response clock starts")
    with at(2026, 6, 8, 16, 20):
        comment_add(ticket=ticket, author=agent, body="Try the new firmware.")
        check("next response met in time")
    with at(2026, 6, 8, 16, 30):
        ticket_update(ticket=ticket, actor=agent, data={"status": Status.RESOLVED})
        check("resolved: every clock stopped")
        assert stored(ticket) == {
            "sla_due_at": None,
            "sla_warn_at": None,
            "sla_breached": False,
            "sla_paused": False,
        }
    with at(2026, 6, 9, 9, 0):
        ticket_update(ticket=ticket, actor=agent, data={"status": Status.OPEN})
        check("reopened: a new resolution clock")
        assert stored(ticket)["sla_due_at"] is not None
    assert len(set(seen)) >= 5  # the sequence really moved the state around


def test_the_store_rewrites_whatever_the_columns_held(standard, open_ticket, at):
    with at(2026, 6, 8, 9, 0):
        ticket = open_ticket()
    Ticket.objects.filter(pk=ticket.pk).update(sla_due_at=None, sla_breached=True)

    ticket_sla_state_store(ticket_id=ticket.pk)

    assert stored(ticket) == oracle(ticket)
