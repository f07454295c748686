"""SLA timing: one sweep over 100,000 and 1,000,000 running clocks of which 100 are due, and the
cost of one due time 30 business days out in a calendar with holidays.

Seeding runs inside PostgreSQL (INSERT … SELECT over generate_series), once: later runs reuse
the rows (for the smaller figure, clocks beyond the first 100,000 are paused, which takes them
out of the sweep's partial indexes). Tickets are copies of one template ticket, so the insert keeps working whatever
columns other apps add to tickets. The sweep is measured as the beat runs it (its three indexed
queries and one enqueue per clock found); by default the enqueue only collects the ids, and with
REDIS_URL set the same sweep is also measured handing 100 tasks to the real broker.
"""

import os
import random
import statistics
import time
from datetime import UTC, datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from apps.accounts.models import User
from apps.sla.businesstime import BusinessCalendar
from apps.sla.models import Calendar, Clock, Metric, Policy, WorkingHours
from apps.tickets.models import Ticket

SIZES = (100_000, 1_000_000)
DUE = 100
SWEEPS = 15
DUE_SAMPLES = 20_000
MARK = "bench-sla"


def run() -> dict[str, float]:
    figures = {"business_due_us": _business_due_us()}
    for size in SIZES:
        policy = _seed(size)
        figures[f"sla_sweep_ms_{_label(size)}_open"] = _sweep_ms(policy)
        print(
            f"   sweep over {size:,} running clocks, {DUE} due: "
            f"{figures[f'sla_sweep_ms_{_label(size)}_open']:.2f} ms",
            flush=True,
        )
        if os.environ.get("REDIS_URL"):
            figures[f"sla_sweep_redis_ms_{_label(size)}_open"] = _sweep_ms(policy, broker=True)
    return figures


def _label(size: int) -> str:
    return "1m" if size == 1_000_000 else f"{size // 1000}k"


# --- Business time ------------------------------------------------------------------------------


def _business_due_us() -> float:
    cal = BusinessCalendar(
        time_zone="Europe/Berlin",
        week={d: [("08:00", "12:00"), ("13:00", "17:00")] for d in range(5)},
        country="DE",
        region="BE",
        extra_holidays=[datetime(2026, 12, 24).date(), datetime(2026, 12, 31).date()],
    )
    rng = random.Random(7)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    starts = [base + timedelta(seconds=rng.randrange(365 * 86400)) for _ in range(DUE_SAMPLES)]
    thirty_days = 30 * 8 * 3600
    for start in starts[:200]:  # the first call per year loads holidays: not the steady state
        cal.add(start, thirty_days)
    began = time.perf_counter()
    for start in starts:
        cal.add(start, thirty_days)
    return (time.perf_counter() - began) / len(starts) * 1e6


# --- Seeding ------------------------------------------------------------------------------------


def _policy() -> Policy:
    calendar, _ = Calendar.objects.get_or_create(name=f"{MARK} 24x7", defaults={"time_zone": "UTC"})
    if not calendar.hours.exists():
        WorkingHours.objects.bulk_create(
            WorkingHours(calendar=calendar, weekday=d, start="00:00", end="24:00") for d in range(7)
        )
    policy, _ = Policy.objects.get_or_create(
        name=MARK, defaults={"calendar": calendar, "is_active": False}
    )
    return policy


def _template_ticket() -> Ticket:
    requester, _ = User.objects.get_or_create(email=f"requester@{MARK}.local")
    ticket = Ticket.objects.filter(subject=MARK).order_by("id").first()
    return ticket or Ticket.objects.create(
        subject=MARK, description="Template for the SLA benchmark.", requester=requester
    )


def _seed(size: int) -> Policy:
    """Grow the bench to ``size`` running clocks (one per ticket), ``DUE`` of them due now."""
    policy = _policy()
    have = Clock.objects.filter(policy=policy).count()
    if have < size:
        started = time.perf_counter()
        _insert(policy, size - have)
        print(
            f"   seeded {size - have:,} tickets and clocks in "
            f"{time.perf_counter() - started:.0f} s",
            flush=True,
        )
    _keep_running(policy, size)
    _make_due(policy)
    return policy


def _keep_running(policy: Policy, size: int) -> None:
    """Exactly ``size`` clocks running; the rest paused (out of the sweep's indexes), so the
    smaller figure is measured even after the bigger seed exists."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM sla_clock WHERE policy_id = %s ORDER BY id OFFSET %s LIMIT 1",
            [policy.pk, size - 1],
        )
        last = cursor.fetchone()[0]
        cursor.execute(
            "UPDATE sla_clock SET state = CASE WHEN id <= %(last)s THEN 'running' ELSE 'paused' END "
            "WHERE policy_id = %(policy)s AND state <> CASE WHEN id <= %(last)s THEN 'running' "
            "ELSE 'paused' END",
            {"last": last, "policy": policy.pk},
        )
        if cursor.rowcount:
            cursor.execute("VACUUM ANALYZE sla_clock")


def _insert(policy: Policy, count: int) -> None:
    template = _template_ticket()
    columns = [f.column for f in Ticket._meta.concrete_fields if not f.primary_key]
    cols = ", ".join(f'"{c}"' for c in columns)
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM tickets_ticket")
        after = cursor.fetchone()[0]
        cursor.execute(
            f"INSERT INTO tickets_ticket ({cols}) SELECT {cols} FROM tickets_ticket, "
            f"generate_series(1, %s) WHERE id = %s",
            [count, template.pk],
        )
        # Every clock falls due somewhere in the next 30 days, none now.
        cursor.execute(
            """
            INSERT INTO sla_clock (ticket_id, policy_id, metric, cycle, state, target_seconds,
                started_at, run_started_at, elapsed_seconds, warn_at, due_at, steps_done)
            SELECT t.id, %(policy)s, %(metric)s, 1, 'running', 86400, %(now)s, %(now)s, 0,
                   %(now)s + interval '1 hour' + (random() * interval '20 days'),
                   %(now)s + interval '2 hours' + (random() * interval '30 days'), 0
            FROM tickets_ticket t WHERE t.id > %(after)s
            """,
            {"policy": policy.pk, "metric": Metric.RESOLUTION, "now": now, "after": after},
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE sla_clock")
        cursor.execute("VACUUM ANALYZE tickets_ticket")


def _make_due(policy: Policy) -> None:
    """Exactly ``DUE`` clocks past their due time (already warned), the rest in the future."""
    now = timezone.now()
    running = Clock.objects.filter(policy=policy, state="running")
    overdue = running.filter(due_at__lte=now + timedelta(minutes=10))
    overdue.update(warn_at=now + timedelta(days=1), due_at=now + timedelta(days=2), warned_at=None)
    running.filter(warn_at__lte=now + timedelta(minutes=10)).update(warn_at=now + timedelta(days=1))
    pks = list(running.order_by("?").values_list("pk", flat=True)[:DUE])
    Clock.objects.filter(pk__in=pks).update(
        warned_at=now - timedelta(hours=1),
        warn_at=now - timedelta(hours=1),
        due_at=now - timedelta(minutes=5),
    )


# --- The sweep ----------------------------------------------------------------------------------


def _sweep_ms(policy: Policy, *, broker: bool = False) -> float:
    from apps.sla import services
    from config.celery import app

    found: list[int] = []
    # With the broker: the sweep's own enqueue (one connection, one message per clock).
    enqueue = None if broker else (lambda task, pk: found.append(pk))
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    timings = []
    try:
        services.sla_sweep(enqueue=enqueue)  # warm the connection and plan cache
        for _ in range(SWEEPS):
            found.clear()
            began = time.perf_counter()
            result = services.sla_sweep(enqueue=enqueue)
            timings.append((time.perf_counter() - began) * 1000)
            assert len(result["breach"]) == DUE, result
    finally:
        app.conf.task_always_eager = eager
        if broker:
            app.control.purge()
    return statistics.median(timings)
