"""SLA fixtures: a Berlin office calendar, a round-the-clock one, and a standard policy."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from apps.sla.calendars import calendar_forget
from apps.tickets.models import Priority
from apps.tickets.services import ticket_create, ticket_update

from .factories import OFFICE_HOURS, ROUND_THE_CLOCK, calendar_with, policy_with

BERLIN = ZoneInfo("Europe/Berlin")
FR, NR, RES = "first_response", "next_response", "resolution"


@pytest.fixture(autouse=True)
def _fresh_calendars():
    calendar_forget()
    yield
    calendar_forget()


@pytest.fixture
def office(db):
    return calendar_with("Berlin office", OFFICE_HOURS, country="DE", region="BE")


@pytest.fixture
def always(db):
    return calendar_with("24x7 operations", ROUND_THE_CLOCK, time_zone="UTC")


@pytest.fixture
def standard(office):
    """Normal: first response in 2 business hours, next in 4, resolved in 2 days (16 h);
    urgent: 30 min / 1 h / 4 h."""
    return policy_with(
        "Standard",
        office,
        {
            (FR, Priority.NORMAL): 120,
            (NR, Priority.NORMAL): 240,
            (RES, Priority.NORMAL): 960,
            (FR, Priority.URGENT): 30,
            (NR, Priority.URGENT): 60,
            (RES, Priority.URGENT): 240,
        },
    )


@pytest.fixture
def at():
    """Travel to a Berlin wall time: ``with at(2026, 6, 5, 16): ...``."""

    def travel(*args):
        return time_machine.travel(datetime(*args, tzinfo=BERLIN), tick=False)

    return travel


@pytest.fixture
def open_ticket(requester, lookups, team, agent, triage_team):
    def make(**extra):
        ticket = ticket_create(
            requester=requester,
            subject="Till 3 freezes on loyalty cards",
            description="Every loyalty scan freezes the till for a minute.",
            **lookups,
            **extra,
        )
        ticket_update(ticket=ticket, actor=agent, data={"team": team})
        return ticket

    return make
