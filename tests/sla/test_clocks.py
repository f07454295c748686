"""A ticket's SLA clocks follow its life: opened, answered, waiting, re-prioritised, resolved,
reopened — whichever app made the change, and in whatever order the apps react."""

from datetime import datetime, timedelta

import pytest

from apps.core.errors import ApplicationError
from apps.sla.models import Clock, ClockState
from apps.tickets import actions
from apps.tickets.models import Priority, Status
from apps.tickets.services import comment_add, ticket_update

from .conftest import BERLIN, FR, NR, RES
from .factories import policy_with

pytestmark = pytest.mark.django_db


def clocks(ticket) -> dict:
    """The current clock per metric."""
    rows = Clock.objects.filter(ticket=ticket).order_by("cycle")
    return {c.metric: c for c in rows}


def local(dt):
    return dt.astimezone(BERLIN).replace(tzinfo=None)


def test_a_ticket_opened_friday_afternoon_is_due_in_business_time(standard, open_ticket, at):
    with at(2026, 6, 5, 16, 0):
        ticket = open_ticket()
    c = clocks(ticket)
    assert set(c) == {FR, RES}  # next response starts with the requester's next reply
    assert c[FR].state == ClockState.RUNNING
    # 1 h on Friday, 1 h on Monday morning.
    assert local(c[FR].due_at) == datetime(2026, 6, 8, 10, 0)
    # Warn at 75 %: 90 business minutes = Friday 16-17 and Monday 09:00-09:30.
    assert local(c[FR].warn_at) == datetime(2026, 6, 8, 9, 30)
    # 16 h: Friday 1 h, Monday 8 h, Tuesday 7 h.
    assert local(c[RES].due_at) == datetime(2026, 6, 9, 16, 0)


def test_agent_reply_meets_first_response_and_requester_reply_starts_next(
    standard, open_ticket, agent, requester, at
):
    with at(2026, 6, 8, 9, 0):
        ticket = open_ticket()
    with at(2026, 6, 8, 9, 40):
        comment_add(ticket=ticket, author=agent, body="Looking into it.")
    first = clocks(ticket)[FR]
    assert first.state == ClockState.MET
    assert local(first.met_at) == datetime(2026, 6, 8, 9, 40)

    with at(2026, 6, 8, 11, 0):
        comment_add(ticket=ticket, author=requester, body="It happened again.")
    nxt = clocks(ticket)[NR]
    assert nxt.state == ClockState.RUNNING
    assert local(nxt.due_at) == datetime(2026, 6, 8, 15, 0)

    # A second requester message while waiting does not restart the promise.
    with at(2026, 6, 8, 11, 30):
        comment_add(ticket=ticket, author=requester, body="And again.")
    assert Clock.objects.filter(ticket=ticket, metric=NR).count() == 1

    with at(2026, 6, 8, 12, 0):
        comment_add(ticket=ticket, author=agent, body="Patched the till.")
    nxt.refresh_from_db()
    assert nxt.state == ClockState.MET
    # An internal note is not a response.
    with at(2026, 6, 8, 13, 0):
        comment_add(ticket=ticket, author=requester, body="Thanks, one more thing.")
        comment_add(ticket=ticket, author=agent, body="Checking logs", internal=True)
    assert clocks(ticket)[NR].state == ClockState.RUNNING
    assert clocks(ticket)[NR].cycle == 2


def test_waiting_on_the_requester_pauses_and_keeps_the_time_used(standard, open_ticket, agent, at):
    with at(2026, 6, 8, 9, 0):
        ticket = open_ticket()
    with at(2026, 6, 8, 13, 0):  # 4 of 16 business hours used
        ticket_update(ticket=ticket, actor=agent, data={"status": Status.PENDING})
    res = clocks(ticket)[RES]
    assert res.state == ClockState.PAUSED
    assert res.due_at is None
    assert res.elapsed_seconds == 4 * 3600

    with at(2026, 6, 10, 9, 0):  # two days later, the requester answers
        ticket_update(ticket=ticket, actor=agent, data={"status": Status.OPEN})
    res = clocks(ticket)[RES]
    assert res.state == ClockState.RUNNING
    # 12 h left from Wednesday 09:00: Wednesday 8 h + Thursday 4 h.
    assert local(res.due_at) == datetime(2026, 6, 11, 13, 0)


def test_raising_the_priority_recomputes_the_due_times(standard, open_ticket, agent, at):
    with at(2026, 6, 8, 9, 0):
        ticket = open_ticket()
    with at(2026, 6, 8, 9, 10):
        ticket_update(ticket=ticket, actor=agent, data={"priority": Priority.URGENT})
    c = clocks(ticket)
    # Measured from when the ticket was opened: 30 min and 4 h.
    assert local(c[FR].due_at) == datetime(2026, 6, 8, 9, 30)
    assert local(c[RES].due_at) == datetime(2026, 6, 8, 13, 0)
    assert c[FR].target_seconds == 30 * 60


def test_a_priority_without_targets_drops_the_running_clocks(standard, open_ticket, agent, at):
    with at(2026, 6, 8, 9, 0):
        ticket = open_ticket()
        ticket_update(ticket=ticket, actor=agent, data={"priority": Priority.LOW})
    assert clocks(ticket) == {}


def test_resolving_meets_resolution_and_reopening_starts_it_again(
    standard, open_ticket, agent, requester, at
):
    with at(2026, 6, 8, 9, 0):
        ticket = open_ticket()
    with at(2026, 6, 8, 10, 0):
        ticket_update(ticket=ticket, actor=agent, data={"status": Status.RESOLVED})
    first = clocks(ticket)[RES]
    assert first.state == ClockState.MET
    assert clocks(ticket)[FR].state == ClockState.MET  # answered by the resolution

    with at(2026, 6, 8, 11, 0):
        comment_add(ticket=ticket, author=requester, body="Still broken, sorry.")
    again = clocks(ticket)[RES]
    assert again.cycle == 2
    assert again.state == ClockState.RUNNING
    assert local(again.due_at) == datetime(2026, 6, 10, 11, 0)  # a fresh 16 business hours
    first.refresh_from_db()
    assert first.state == ClockState.MET  # history kept


def test_the_first_matching_policy_applies_and_a_routing_action_overrides_it(
    standard, always, open_ticket, agent, team, at
):
    urgent_ops = policy_with(
        "Urgent ops",
        always,
        {(FR, Priority.NORMAL): 15, (RES, Priority.NORMAL): 60},
        position=1,
        team=team,
    )
    with at(2026, 6, 6, 22, 0):  # Saturday night: the 24x7 policy counts
        ticket = open_ticket()
    c = clocks(ticket)
    assert c[FR].policy == urgent_ops
    assert local(c[FR].due_at) == datetime(2026, 6, 6, 22, 15)

    with at(2026, 6, 6, 22, 5):
        said = actions.action_apply(
            name="apply_sla_policy", ticket=ticket, params={"policy": str(standard.pk)}
        )
    assert said == "SLA policy → Standard"
    c = clocks(ticket)
    assert c[FR].policy == standard
    assert local(c[FR].due_at) == datetime(2026, 6, 8, 11, 0)  # office hours from Monday
    assert ticket.events.filter(kind="sla_policy_applied").count() == 1


def test_the_policy_action_refuses_an_unknown_policy_naming_the_field(standard):
    action = actions.get("apply_sla_policy")
    assert (str(standard.pk), "Standard") in list(action.params[0].choices)
    with pytest.raises(ApplicationError) as error:
        action.validate({"policy": "999999"})
    assert error.value.field == "policy"


def test_clocks_see_the_ticket_as_earlier_reactions_left_it(
    standard, requester, lookups, at, monkeypatch
):
    """A reaction ordered before SLA (as routing is) changes the new ticket; the clocks are
    computed once, after it, for the urgent ticket it became."""
    from apps.tickets import events
    from apps.tickets.services import ticket_create

    def raise_priority(ticket, new_events):
        ticket_update(ticket=ticket, actor=None, data={"priority": Priority.URGENT})

    early = events.Reaction("test.raise_priority", events.ORDER["sla"] - 1, raise_priority)
    monkeypatch.setitem(events._reactions, early.name, early)
    with at(2026, 6, 8, 9, 0):
        ticket = ticket_create(
            requester=requester, subject="Tills down", description="All of them.", **lookups
        )
    c = clocks(ticket)
    assert local(c[FR].due_at) == datetime(2026, 6, 8, 9, 30)
    assert local(c[RES].due_at) == datetime(2026, 6, 8, 13, 0)
    assert Clock.objects.filter(ticket=ticket).count() == 2


def test_tier_time_is_measured_in_the_ticket_calendar(standard, open_ticket, at):
    from apps.tickets import extensions

    with at(2026, 6, 5, 16, 0):
        ticket = open_ticket()
    friday = datetime(2026, 6, 5, 16, 0, tzinfo=BERLIN)
    # Friday 16-17 and Monday 09-16: the weekend does not count.
    assert extensions.business_seconds(ticket, friday, friday + timedelta(days=3)) == 8 * 3600
