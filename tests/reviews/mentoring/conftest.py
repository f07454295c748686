"""A service desk where Lena leads, Sofia sponsors three techs (Tariq, Mia, Ines), Nia works
another team; tickets are opened and worked through the services at moments of the week of
Monday 3 June 2024, so the history holds what really happened."""

import datetime

import pytest
import time_machine

from apps.reviews.mentoring.services import pairing_create
from apps.tickets.models import Resolution, Status, Ticket
from apps.tickets.services import ticket_create, ticket_update
from tests.conftest import signed_in
from tests.factories import TeamFactory, UserFactory, agent_of

WEEK = datetime.date(2024, 6, 3)  # a Monday
NEXT_WEEK = WEEK + datetime.timedelta(days=7)
WEEK_BEFORE = WEEK - datetime.timedelta(days=7)


def at(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=datetime.UTC)


def during(day: datetime.date = WEEK, hour: int = 10, minute: int = 0):
    """Travel to that moment (the tests' time zone is UTC unless a test says otherwise)."""
    return time_machine.travel(at(day, hour, minute), tick=False)


@pytest.fixture
def desk(db):
    return TeamFactory(name="Service Desk", slug="service-desk")


@pytest.fixture
def networks(db):
    return TeamFactory(name="Networks", slug="networks")


@pytest.fixture
def people(desk, networks):
    return {
        "lead": agent_of(desk, tier=2, lead=True, email="lena@example.com", full_name="Lena Lead"),
        "sponsor": agent_of(desk, tier=2, email="sofia@example.com", full_name="Sofia Sponsor"),
        "tariq": agent_of(desk, email="tariq@example.com", full_name="Tariq Haddad"),
        "mia": agent_of(desk, email="mia@example.com", full_name="Mia Novak"),
        "ines": agent_of(desk, email="ines@example.com", full_name="Ines Duarte"),
        "other": agent_of(desk, email="otto@example.com", full_name="Otto Other"),
        "nia": agent_of(networks, email="nia@example.com", full_name="Nia Network"),
        "net_lead": agent_of(
            networks, tier=2, lead=True, email="noah@example.com", full_name="Noah Netlead"
        ),
        "requester": UserFactory(email="rita@example.com", full_name="Rita Requester"),
        "admin": UserFactory(
            email="ada@example.com", full_name="Ada Admin", is_staff=True, is_superuser=True
        ),
    }


@pytest.fixture
def techs(people):
    return [people["tariq"], people["mia"], people["ines"]]


@pytest.fixture
def pairing(people, desk, techs):
    return pairing_create(actor=people["lead"], team=desk, sponsor=people["sponsor"], techs=techs)


def open_ticket(requester, team, *, day=WEEK, hour=9, subject="Till 3 freezes") -> Ticket:
    with during(day, hour):
        ticket = ticket_create(requester=requester, subject=subject, description="It freezes.")
        ticket_update(ticket=ticket, actor=None, data={"team": team}, source="test placement")
    return ticket


def resolve(ticket, by, *, day=WEEK, hour=16, minute=0) -> Ticket:
    with during(day, hour, minute):
        ticket_update(
            ticket=ticket,
            actor=by,
            data={"status": Status.RESOLVED, "resolution": Resolution.WORKAROUND},
        )
    return ticket


def client_for(user):
    return signed_in(user)


@pytest.fixture
def worked(people, desk, techs, pairing):
    """The week of WEEK: each tech took, answered and resolved one ticket, whose requester
    thanked them first; Tariq also took one and passed it to Otto, who resolved it."""
    from apps.tickets.services import comment_add, ticket_take

    requester = people["requester"]
    tickets, thanks = {}, {}
    for tech in techs:
        name = tech.get_short_name()
        ticket = open_ticket(requester, desk, subject=f"{name}'s printer")
        with during(hour=10):
            ticket_take(ticket=ticket, agent=tech)
            comment_add(ticket=ticket, author=tech, body="Cleaned the print head.")
        with during(hour=11):
            thanks[name] = comment_add(
                ticket=ticket, author=requester, body=f"Thanks so much, {name}! Works again."
            )
        resolve(ticket, tech)
        tickets[name] = ticket
    passed = open_ticket(requester, desk, subject="Passed on by Tariq")
    with during(hour=10):
        ticket_take(ticket=passed, agent=people["tariq"])
        ticket_update(ticket=passed, actor=people["tariq"], data={"assignee": people["other"]})
        comment_add(ticket=passed, author=people["other"], body="Done.")
    resolve(passed, people["other"])
    return {"tickets": tickets, "thanks": thanks, "passed": passed}


def text_of(response) -> str:
    """The page as a person reads it (entities such as &#x27; unescaped)."""
    import html

    return html.unescape(response.content.decode())
