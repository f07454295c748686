"""A read replica for reports (config/routers.py): insights read from it, every write stays on
the primary, and without DATABASE_REPLICA_URL there is only the primary.

In tests "replica" is a second alias onto the same test database (TEST MIRROR,
config/settings/test.py); these tests route reports to it as DATABASE_REPLICA_URL would.
"""

import runpy
import sys
from datetime import timedelta

import pytest
from django.db import connections, router
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.insights import selectors
from apps.insights.models import TicketFact, VolumeGoal
from apps.insights.scope import Scope
from apps.insights.services import volume_goal_set
from apps.tickets.models import Ticket
from apps.tickets.services import ticket_create

pytestmark = pytest.mark.django_db(databases=["default", "replica"], transaction=True)


@pytest.fixture
def reports_on_replica(settings):
    settings.REPORTS_DATABASE = "replica"


def _touching(queries, table: str) -> list[str]:
    return [q["sql"] for q in queries if table in q["sql"]]


def _today() -> Scope:
    today = timezone.localdate()
    return Scope(start=today - timedelta(days=6), end=today)


def test_the_router_sends_insights_reads_to_the_replica_and_writes_to_default(
    reports_on_replica,
):
    assert router.db_for_read(TicketFact) == "replica"
    assert router.db_for_read(VolumeGoal) == "replica"
    assert router.db_for_write(TicketFact) == "default"
    assert router.db_for_read(Ticket) == "default"  # agents' work reads the primary
    assert router.allow_migrate("default", "insights")
    assert not router.allow_migrate("replica", "insights")
    assert not router.allow_migrate("replica", "tickets")


def test_figures_and_drilldown_read_the_replica_while_changes_write_default(
    reports_on_replica, requester, lead, team
):
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        for n in range(3):
            ticket_create(requester=requester, subject=f"Till {n} down", description="Dead.")
    assert _touching(primary.captured_queries, "insights_ticketfact")  # the facts' upsert
    assert replica.captured_queries == []

    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        volume = {k.name: k.value for k in selectors.kpis(_today())}["volume"]
        listed = list(selectors.drilldown(_today()))
        series = selectors.series(_today(), "volume", "week")
    assert volume == 3  # what the test wrote is there to read
    assert len(listed) == 3
    assert sum(count for _, count in series) == 3
    assert _touching(replica.captured_queries, "insights_ticketfact")
    assert _touching(replica.captured_queries, "tickets_ticket")  # the drill-down's tickets
    assert _touching(primary.captured_queries, "insights_ticketfact") == []
    assert _touching(primary.captured_queries, "tickets_ticket") == []

    with CaptureQueriesContext(connections["replica"]) as replica:
        volume_goal_set(team=team, tickets_per_week=40, high_only=False, actor=lead)
    assert _touching(replica.captured_queries, "insights_volumegoal") == []
    assert VolumeGoal.objects.using("default").get(team=team).tickets_per_week == 40


def test_without_a_replica_reports_read_default(requester):
    ticket_create(requester=requester, subject="Till down", description="Dead.")

    with CaptureQueriesContext(connections["replica"]) as replica:
        volume = {k.name: k.value for k in selectors.kpis(_today())}["volume"]
        list(selectors.drilldown(_today()))
    assert router.db_for_read(TicketFact) == "default"
    assert volume == 1
    assert replica.captured_queries == []


def _base_settings(monkeypatch, **env) -> dict:
    """A fresh read of the settings, as a new process would read its environment."""
    monkeypatch.delitem(sys.modules, "config.settings.base", raising=False)
    monkeypatch.delenv("DATABASE_REPLICA_URL", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_module("config.settings.base")


@pytest.mark.django_db(databases=[])
def test_database_replica_url_adds_the_replica_alias_for_reports(monkeypatch):
    plain = _base_settings(monkeypatch)
    assert set(plain["DATABASES"]) == {"default"}
    assert plain["REPORTS_DATABASE"] == "default"

    given = _base_settings(
        monkeypatch, DATABASE_REPLICA_URL="postgres://reader:secret@replica.internal:5432/desk"
    )
    assert given["REPORTS_DATABASE"] == "replica"
    replica = given["DATABASES"]["replica"]
    assert (replica["HOST"], replica["NAME"], replica["USER"]) == (
        "replica.internal",
        "desk",
        "reader",
    )
    assert replica["CONN_HEALTH_CHECKS"] is True
    assert given["DATABASE_ROUTERS"] == ["config.routers.ReportsRouter"]
