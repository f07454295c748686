"""A desk with three tiers: Service Desk (tiers 1 and 2, touch and hold) escalates from tier 2
to Payments Engineering (tier 3), which needs steps to reproduce and the affected order id."""

import pytest

from apps.accounts.models import User
from apps.tickets.models import ChecklistItem, EscalationStep, Status
from apps.tickets.services import ticket_create, ticket_update
from tests.factories import TeamFactory, UserFactory, agent_of


@pytest.fixture
def desk(db):
    return TeamFactory(name="Service Desk", slug="service-desk", touch_and_hold=True)


@pytest.fixture
def payments(db):
    return TeamFactory(name="Payments Engineering", slug="payments-engineering")


@pytest.fixture
def path(desk, payments):
    """Service Desk tier 2 → Payments Engineering tier 3, with its checklist."""
    EscalationStep.objects.create(team=desk, from_tier=2, to_team=payments, to_tier=3)
    return [
        ChecklistItem.objects.create(
            team=payments, tier=3, key="steps", label="Steps to reproduce", order=1
        ),
        ChecklistItem.objects.create(
            team=payments, tier=3, key="order_id", label="Affected order id", order=2
        ),
    ]


@pytest.fixture
def tier1(desk):
    return agent_of(desk, tier=1, email="tariq@example.com", full_name="Tariq Haddad")


@pytest.fixture
def tier1b(desk):
    return agent_of(desk, tier=1, email="mia@example.com", full_name="Mia Novak")


@pytest.fixture
def tier2(desk):
    return agent_of(desk, tier=2, email="sofia@example.com", full_name="Sofia Marin")


@pytest.fixture
def desk_lead(desk):
    return agent_of(desk, tier=2, lead=True, email="lena@example.com", full_name="Lena Lead")


@pytest.fixture
def developer(payments):
    return agent_of(payments, tier=3, email="priya@example.com", full_name="Priya Raman")


@pytest.fixture
def customer(db):
    return UserFactory(email="rita@example.com", full_name="Rita Alvarez")


@pytest.fixture
def ticket(customer, desk, tier1):
    """A card-payment problem placed in the Service Desk tier-1 queue."""
    ticket = ticket_create(
        requester=customer,
        subject="Card payment declined at till 3",
        description="Every Visa card is declined since the update.",
    )
    ticket_update(ticket=ticket, actor=None, data={"team": desk}, source="test placement")
    return ticket


def fresh(user: User) -> User:
    """A new instance: memberships are cached per instance."""
    return User.objects.get(pk=user.pk)


def filled(**values) -> dict:
    return {"steps": "1. Pay with Visa 2. Declined", "order_id": "ORD-77", **values}


ACTIVE = (Status.NEW, Status.OPEN, Status.PENDING)
