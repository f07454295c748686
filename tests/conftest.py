"""Shared fixtures: the people of a small desk, and signed-in clients for each."""

import importlib

import pytest
from django.test import Client

from apps.tickets.models import Category, Location, Product

from .factories import PASSWORD, TeamFactory, UserFactory, agent_of


@pytest.fixture(autouse=True)
def _media_and_mail(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and throttles count in the cache: each test starts with none used."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def triage_team(db):
    return TeamFactory(name="Triage", slug="triage", is_triage=True)


@pytest.fixture
def team(db):
    return TeamFactory(name="Service Desk", slug="service-desk")


@pytest.fixture
def other_team(db):
    return TeamFactory(name="Networks", slug="networks")


@pytest.fixture
def agent(team):
    return agent_of(team, email="agent@example.com", full_name="Alex Agent")


@pytest.fixture
def lead(team):
    return agent_of(team, email="lead@example.com", full_name="Lee Lead", lead=True, tier=2)


@pytest.fixture
def other_agent(other_team):
    return agent_of(other_team, email="netagent@example.com", full_name="Nia Network")


@pytest.fixture
def requester(db):
    return UserFactory(email="rita@example.com", full_name="Rita Requester")


@pytest.fixture
def other_requester(db):
    return UserFactory(email="oscar@example.com", full_name="Oscar Other")


@pytest.fixture
def admin_user(db):
    return UserFactory(
        email="admin@example.com", full_name="Ada Admin", is_staff=True, is_superuser=True
    )


@pytest.fixture
def lookups(db):
    return {
        "category": Category.objects.create(name="Cannot sign in"),
        "location": Location.objects.create(name="Berlin office"),
        "product": Product.objects.create(name="Store POS"),
    }


def signed_in(user) -> Client:
    client = Client()
    assert client.login(username=user.email, password=PASSWORD)
    return client


@pytest.fixture
def requester_client(requester):
    return signed_in(requester)


@pytest.fixture
def agent_client(agent):
    return signed_in(agent)


# Modules that take minutes (the whole demo loaded, every route for every person, the API fuzzed)
# run first: under `make test` (pytest -n, a module per process) they start at once on
# different processes instead of one of them keeping the suite waiting at its end.
SLOW_FIRST = ("test_demo_data.py", "test_permission_matrix.py", "test_schema_fuzz.py")


def pytest_collection_modifyitems(items):
    def rank(item):
        name = item.path.name
        return SLOW_FIRST.index(name) if name in SLOW_FIRST else len(SLOW_FIRST)

    items.sort(key=rank)  # stable: the rest keep their order


# Rows the migrations seed (the subtask kinds, the priority matrix). A transactional test (transaction=True, a live
# server) empties every table when it ends; Django runs such tests last for this reason, but
# with the suite split over processes a module of them may run before a module that needs
# the rows. So they are put back after each one.
SEEDING_MIGRATIONS = {
    "apps.subtasks.migrations.0002_seed_kinds": "seed",
    "apps.tickets.migrations.0012_impact_urgency_matrix": "seed_matrix",
    "apps.knowledge.migrations.0007_synonym_group": "add_defaults",
}


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        return True
    return bool({"transactional_db", "live_server"} & set(item.fixturenames))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    result = yield  # the test's fixtures are torn down: the flush has happened
    # After the last test the test database itself is gone: nothing to put back.
    if nextitem is not None and _is_transactional(item):
        from django.apps import apps
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            for name, function in SEEDING_MIGRATIONS.items():
                getattr(importlib.import_module(name), function)(apps, None)
    return result
