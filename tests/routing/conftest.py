"""Routing fixtures: a desk with a triage team, two owning teams, lookups, and a rule helper."""

import pytest
from django.core.cache import cache

from apps.routing import engine
from apps.routing.rules import rule_create
from apps.tickets.models import Category, Location, Product
from apps.tickets.services import ticket_create
from tests.factories import TeamFactory, UserFactory, agent_of


@pytest.fixture(autouse=True)
def _fresh_rule_cache():
    """Each test starts like a new process: no compiled rules, no shared version."""
    engine.forget_compiled()
    cache.delete(engine.VERSION_KEY)
    yield
    engine.forget_compiled()
    cache.delete(engine.VERSION_KEY)


@pytest.fixture
def payments(db):
    return TeamFactory(name="Payments Engineering", slug="payments-engineering")


@pytest.fixture
def networks(db):
    return TeamFactory(name="Networks", slug="networks")


@pytest.fixture
def triager(triage_team):
    return agent_of(triage_team, email="triager@example.com", full_name="Tia Triager")


@pytest.fixture
def desk(db, triage_team, payments, networks):
    return {
        "triage": triage_team,
        "payments": payments,
        "networks": networks,
        "card": Category.objects.create(name="Card payment declined"),
        "wifi": Category.objects.create(name="Wi-Fi down"),
        "pos": Product.objects.create(name="Store POS"),
        "payroll": Product.objects.create(name="Payroll"),
        "lyon": Location.objects.create(name="Store 112 Lyon"),
    }


@pytest.fixture
def make_rule(db, admin_user):
    def make(name, conditions, actions, **fields):
        return rule_create(
            actor=admin_user,
            data={"name": name, "conditions": conditions, "actions": actions, **fields},
        )

    return make


def send_to(team, tier=None) -> list[dict]:
    actions = [{"action": "set_team", "params": {"team": team.pk}}]
    if tier:
        actions.append({"action": "set_tier", "params": {"tier": tier}})
    return actions


@pytest.fixture
def open_ticket(db, requester):
    def open_(subject="Till does not take cards", description="Since this morning.", **fields):
        return ticket_create(
            requester=fields.pop("requester", requester),
            subject=subject,
            description=description,
            **fields,
        )

    return open_


@pytest.fixture
def vip_requester(db):
    return UserFactory(
        email="victor@northwind.example",
        full_name="Victor Hale",
        is_vip=True,
        department="Finance",
        site="Head office Paris",
    )
