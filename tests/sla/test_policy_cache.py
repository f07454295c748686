"""A new ticket does not read the SLA policies again: each process keeps them until an admin
changes one, and then every process reads them anew."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.sla.models import Clock, Policy, Target
from apps.tickets.services import ticket_create

from .conftest import FR


def _policy_reads(queries) -> list[str]:
    return [q["sql"] for q in queries if '"sla_policy"' in q["sql"] or '"sla_target"' in q["sql"]]


def test_the_second_ticket_reads_no_policy(requester, standard, triage_team):
    ticket_create(requester=requester, subject="First", description="x")

    with CaptureQueriesContext(connection) as queries:
        second = ticket_create(requester=requester, subject="Second", description="x")

    assert Clock.objects.filter(ticket=second).exists()
    assert _policy_reads(queries.captured_queries) == []


def test_a_changed_target_counts_for_the_next_ticket(requester, standard, triage_team):
    ticket_create(requester=requester, subject="Before", description="x")
    target = Target.objects.get(policy=standard, metric=FR, priority=2)
    target.minutes = 15
    target.save()

    after = ticket_create(requester=requester, subject="After", description="x")

    assert Clock.objects.get(ticket=after, metric=FR).target_seconds == 15 * 60


def test_a_switched_off_policy_starts_no_clocks(requester, standard, triage_team):
    ticket_create(requester=requester, subject="Before", description="x")
    standard.is_active = False
    standard.save()

    after = ticket_create(requester=requester, subject="After", description="x")

    assert not Clock.objects.filter(ticket=after).exists()
    assert Policy.objects.filter(is_active=True).count() == 0
