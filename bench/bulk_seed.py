"""Seeding a desk of a million tickets in minutes: rows streamed with PostgreSQL's COPY.

``bulk_create`` spends most of its time building model objects and SQL text; at a million
tickets and millions of comments that is hours. Here each row is a tuple written straight into
``COPY … FROM STDIN`` with explicit ids, so comments and clocks can name their ticket without
reading it back. Indexes stay in place (the migrations' own), so the desk measured is the desk
the migrations build. Only what the measured pages read is seeded: tickets, their comments,
and one SLA resolution clock per active ticket (no events: the ticket page reads a ticket's
history by index, whatever its length elsewhere).
"""

import random
import time
from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from apps.sla.models import Calendar, ClockState, Metric, Policy, WorkingHours
from apps.sla.services import ticket_sla_state_store
from apps.tickets.models import Ticket

TICKET_COLUMNS = (
    "id, subject, description, requester_id, channel, intake_address, status, priority, "
    "category_id, location_id, product_id, team_id, tier, assignee_id, created_at, updated_at, "
    "first_response_at, resolved_at, closed_at, resolution, sla_breached, sla_paused"
)
COMMENT_COLUMNS = "ticket_id, author_id, body, is_internal, channel, created_at"
CLOCK_COLUMNS = (
    "ticket_id, policy_id, metric, cycle, state, target_seconds, started_at, run_started_at, "
    "elapsed_seconds, warn_at, due_at, warned_at, breached_at, steps_done"
)
CHUNK = 50_000
ACTIVE = ("new", "open", "pending")
REPLY = "Thanks — could you try again now and tell me what you see?"
DESCRIPTION = "Steps, screenshots and the error message as the requester saw it. " * 3
RESOLUTION_TARGET = 3 * 24 * 3600  # three days, around the clock


def seeded_policy() -> Policy:
    """The (switched off) policy the seeded clocks belong to: new tickets never match it, and
    the configured desk's own policies are removed without touching these clocks."""
    calendar, created = Calendar.objects.get_or_create(
        name="Bench around the clock", defaults={"time_zone": "UTC"}
    )
    if created:
        WorkingHours.objects.bulk_create(
            WorkingHours(calendar=calendar, weekday=day, start="00:00", end="24:00")
            for day in range(7)
        )
    policy, _ = Policy.objects.get_or_create(
        name="Bench seeded clocks", defaults={"calendar": calendar, "is_active": False}
    )
    return policy


def seed(*, rng: random.Random, desk: dict, count: int, comments_per_ticket: float) -> dict:
    """Write ``count`` tickets (and about ``comments_per_ticket`` comments each) after the ones
    already there. Returns how many rows of each kind were written and how long it took."""
    started = time.perf_counter()
    policy = seeded_policy()
    now = timezone.now()
    teams = [(desk["teams"][slug].pk, share, slug) for slug, _name, share in desk["team_shares"]]
    agents = {slug: [u.pk for u in people] for slug, people in desk["agents"].items()}
    requesters = [u.pk for u in desk["requesters"]]
    lookups = [[x.pk for x in desk[k]] for k in ("categories", "locations", "products")]
    names = (
        {c.pk: c.name for c in desk["categories"]},
        {x.pk: x.name for x in desk["locations"]},
    )
    written = {"tickets": 0, "comments": 0, "clocks": 0}
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM tickets_ticket")
        next_id = cursor.fetchone()[0] + 1
    for start in range(0, count, CHUNK):
        size = min(CHUNK, count - start)
        tickets = [
            _ticket(rng, next_id + start + n, now, teams, agents, requesters, lookups, names)
            for n in range(size)
        ]
        with transaction.atomic(), connection.cursor() as cursor:
            copy = cursor.connection.cursor()
            with copy.copy(f"COPY tickets_ticket ({TICKET_COLUMNS}) FROM STDIN") as out:
                for row in tickets:
                    out.write_row(row)
            with copy.copy(f"COPY tickets_comment ({COMMENT_COLUMNS}) FROM STDIN") as out:
                for row in tickets:
                    for comment in _comments(rng, row, agents, comments_per_ticket):
                        out.write_row(comment)
                        written["comments"] += 1
            with copy.copy(f"COPY sla_clock ({CLOCK_COLUMNS}) FROM STDIN") as out:
                for row in tickets:
                    if row[6] in ACTIVE:
                        out.write_row(_clock(rng, row, policy.pk, now))
                        written["clocks"] += 1
            # The queue reads the clocks' state from the ticket's own columns: written once
            # the clocks exist, by the one service that writes them.
            first = next_id + start
            ticket_sla_state_store(tickets=Ticket.objects.filter(pk__range=(first, first + size)))
        written["tickets"] += size
        print(f"   … {written['tickets']:,} tickets", flush=True)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('tickets_ticket', 'id'), MAX(id)) "
            "FROM tickets_ticket"
        )
        if not connection.in_atomic_block:  # index-only scans need the visibility map
            cursor.execute("VACUUM ANALYZE tickets_ticket, tickets_comment, sla_clock")
    written["seconds"] = time.perf_counter() - started
    return written


def _ticket(rng, pk, now, teams, agents, requesters, lookups, names) -> tuple:
    team_id, _share, slug = rng.choices(teams, weights=[t[1] for t in teams])[0]
    age = timedelta(days=730 * rng.random() ** 1.6)
    created = now - age
    status = _status(rng, age)
    done = status in ("resolved", "closed")
    updated = min(created + timedelta(hours=rng.uniform(0.1, 72 if done else 4)), now)
    category, location, product = (rng.choice(ids) for ids in lookups)
    assignee = rng.choice(agents[slug]) if status != "new" and slug != "bench-triage" else None
    subject = rng.choice(SUBJECTS).format(cat=names[0][category], loc=names[1][location])
    return (
        pk,
        subject,
        DESCRIPTION,
        rng.choice(requesters),
        rng.choices(("web", "api", "email"), weights=(6, 1, 3))[0],
        "",
        status,
        rng.choices((1, 2, 3, 4), weights=(20, 60, 16, 4))[0],
        category,
        location,
        product,
        team_id,
        rng.choices((1, 2, 3), weights=(70, 22, 8))[0],
        assignee,
        created,
        updated,
        created + timedelta(minutes=30) if status != "new" else None,
        updated if done else None,
        updated if status == "closed" else None,
        "",
        False,  # sla_breached and sla_paused: set from the clocks once they are written
        False,
    )


SUBJECTS = (
    "{cat} at {loc}",
    "{cat} since this morning",
    "Urgent: {cat}",
    "{cat} — second time this week",
    "Help please: {cat}",
)


def _status(rng, age: timedelta) -> str:
    """As bench_queue's desk: old tickets closed, the last weeks hold the active work."""
    if age > timedelta(days=30):
        return "closed" if rng.random() < 0.985 else rng.choice(("open", "pending"))
    if age > timedelta(days=7):
        return rng.choices(("closed", "resolved", "open", "pending"), weights=(45, 35, 12, 8))[0]
    return rng.choices(("resolved", "new", "open", "pending"), weights=(45, 20, 25, 10))[0]


def _comments(rng, ticket: tuple, agents: dict, per_ticket: float):
    pk, created, requester = ticket[0], ticket[14], ticket[3]
    staff = next(ids for ids in agents.values() if ticket[13] in ids) if ticket[13] else None
    for n in range(int(rng.random() * 2 * per_ticket + 0.5)):
        internal = n > 0 and staff is not None and rng.random() < 0.25
        author = requester if (n % 2 and not internal) or staff is None else rng.choice(staff)
        yield (pk, author, REPLY, internal, ticket[4], created + timedelta(minutes=20 * (n + 1)))


def _clock(rng, ticket: tuple, policy_id: int, now) -> tuple:
    """The resolution clock of an active ticket as the beat's sweep leaves it: paused while
    pending, breached once past due, else running (warned in its last 12 hours)."""
    pk, status, created = ticket[0], ticket[6], ticket[14]
    due = created + timedelta(seconds=RESOLUTION_TARGET)
    warn = due - timedelta(hours=12)
    if status == "pending":
        used = min((now - created).total_seconds(), RESOLUTION_TARGET * rng.random())
        row = (ClockState.PAUSED.value, None, used, None, None, None, None)
    elif due <= now:
        row = (ClockState.BREACHED.value, None, 0, warn, due, warn, due)
    else:
        row = (ClockState.RUNNING.value, created, 0, warn, due, warn if warn <= now else None, None)
    state, run_started, elapsed, warn_at, due_at, warned_at, breached_at = row
    return (
        pk,
        policy_id,
        Metric.RESOLUTION.value,
        1,
        state,
        RESOLUTION_TARGET,
        created,
        run_started,
        elapsed,
        warn_at,
        due_at,
        warned_at,
        breached_at,
        0,
    )
