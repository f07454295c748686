"""Two agents escalate the same ticket at the same moment: real transactions on PostgreSQL."""

import threading
import time

import pytest
from django.db import connection, transaction

from apps.core.errors import ApplicationError
from apps.tickets.models import Escalation, Ticket
from apps.tickets.tiers.services import ticket_escalate

# SQLite has no row locks to race on.
pytestmark = pytest.mark.postgresql


def _in_thread(fn, results, key):
    def run():
        try:
            results[key] = fn()
        except Exception as exc:  # the test inspects what each agent got
            results[key] = exc
        finally:
            connection.close()

    return threading.Thread(target=run)


@pytest.mark.django_db(transaction=True)
def test_one_escalation_wins_and_the_other_is_told_no_double_move(ticket, tier1, tier1b, tier2):
    # Both agents opened the ticket page while it was at tier 1.
    seen_by_tariq = Ticket.objects.get(pk=ticket.pk)
    seen_by_mia = Ticket.objects.get(pk=ticket.pk)
    tariq_holds_lock = threading.Event()
    results = {}

    def tariq():
        with transaction.atomic():
            ticket_escalate(
                ticket=seen_by_tariq,
                expected_tier=seen_by_tariq.tier,
                actor=tier1,
                reason="Refund override",
            )
            tariq_holds_lock.set()
            time.sleep(0.6)  # still uncommitted while Mia clicks
        return "escalated"

    def mia():
        tariq_holds_lock.wait(5)
        started = time.monotonic()
        try:
            ticket_escalate(
                ticket=seen_by_mia,
                expected_tier=seen_by_mia.tier,
                actor=tier1b,
                reason="Same problem",
            )
        finally:
            results["mia_waited"] = time.monotonic() - started
        return "escalated"

    threads = [_in_thread(tariq, results, "tariq"), _in_thread(mia, results, "mia")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert results["tariq"] == "escalated"
    assert isinstance(results["mia"], ApplicationError)
    assert results["mia"].code == "moved"
    assert "by Tariq Haddad" in results["mia"].message
    assert results["mia_waited"] >= 0.4  # she queued on the row lock, not on a stale read
    ticket.refresh_from_db()
    assert ticket.tier == 2
    assert Escalation.objects.filter(ticket=ticket).count() == 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_clicks_move_the_ticket_exactly_once(ticket, tier1, tier1b, tier2):
    seen = [Ticket.objects.get(pk=ticket.pk), Ticket.objects.get(pk=ticket.pk)]
    start = threading.Barrier(2)
    results = {}

    def click(i, agent):
        def run():
            start.wait(5)
            return ticket_escalate(
                ticket=seen[i], expected_tier=1, actor=agent, reason=f"Click {i}"
            )

        return run

    threads = [
        _in_thread(click(0, tier1), results, 0),
        _in_thread(click(1, tier1b), results, 1),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    outcomes = sorted(type(r).__name__ for r in results.values())
    assert outcomes == ["ApplicationError", "Escalation"]
    ticket.refresh_from_db()
    assert ticket.tier == 2
    assert Escalation.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_twenty_agents_escalating_what_they_saw_at_tier_1_move_it_exactly_once(
    ticket, tier1, tier1b, tier2
):
    """The fault-injection run: 20 parallel escalations escalated one ticket twice when the
    tier the agent saw was not sent. Each request reads the ticket itself, as a view does."""
    start = threading.Barrier(20)
    results = {}

    def click(i):
        def run():
            start.wait(10)
            fresh = Ticket.objects.get(pk=ticket.pk)  # read when the request arrives
            return ticket_escalate(
                ticket=fresh, actor=(tier1, tier1b)[i % 2], reason=f"Click {i}", expected_tier=1
            )

        return run

    threads = [_in_thread(click(i), results, i) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    won = [r for r in results.values() if isinstance(r, Escalation)]
    refused = [r for r in results.values() if isinstance(r, ApplicationError)]
    assert (len(won), len(refused)) == (1, 19)
    assert {r.code for r in refused} == {"moved"}
    assert all("already at tier 2, not tier 1" in r.message for r in refused)
    ticket.refresh_from_db()
    assert ticket.tier == 2
    assert Escalation.objects.filter(ticket=ticket).count() == 1
