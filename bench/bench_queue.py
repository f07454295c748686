"""The agent queue at 100,000 tickets: page time, queries per page, and the API's create time.

Seeds (once; later runs reuse it) a desk of six teams whose history is 100,000 tickets over two
years — most resolved or closed, a few hundred active per team — each with a few comments and
its events, all written with bulk_create in batches. Then measures through Django's test client
as a signed-in tier-1 agent of the busiest team.
"""

import random
import statistics
import sys
import time
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.models import Membership, Team, User
from apps.tickets.models import (
    Category,
    Channel,
    Comment,
    EventKind,
    Location,
    Product,
    Status,
    Ticket,
    TicketEvent,
)

TICKETS = 100_000
BATCH = 5_000
QUEUE_REQUESTS = 30
API_CREATES = 50
DOMAIN = "bench.switchboard.local"
AGENT_EMAIL = f"agent@{DOMAIN}"
REQUESTER_EMAIL = f"requester@{DOMAIN}"
PASSWORD = "bench-password-1"

# slug, name, share of all tickets. Service Desk is the busy team the agent works in.
TEAMS = [
    ("bench-triage", "Bench Triage", 0.02),
    ("bench-service-desk", "Bench Service Desk", 0.38),
    ("bench-networks", "Bench Networks", 0.18),
    ("bench-payments", "Bench Payments Engineering", 0.12),
    ("bench-identity", "Bench Identity & Access", 0.16),
    ("bench-workplace", "Bench Workplace IT", 0.14),
]
BUSY_TEAM = "bench-service-desk"
CATEGORIES = [
    "Cannot sign in",
    "Password reset",
    "Card payment declined",
    "Till frozen",
    "Printer not printing",
    "Wi-Fi down",
    "VPN will not connect",
    "Payroll figure wrong",
    "New starter access",
    "Leaver access removal",
    "E-mail not arriving",
    "Laptop slow",
    "Software install request",
    "Barcode scanner fault",
    "Stock figure wrong",
]
LOCATIONS = ["Store 112 Lyon", "Store 204 Lille", "Store 087 Nantes", "Head office Paris"]
LOCATIONS += ["Distribution centre Orléans", "Store 301 Bordeaux", "Store 045 Marseille"]
PRODUCTS = ["Store POS", "Payroll", "Card terminal", "Intranet", "E-mail", "VPN", "Stock app"]
SUBJECTS = [
    "{cat} at {loc}",
    "{cat} since this morning",
    "Urgent: {cat}",
    "{cat} — second time this week",
    "Help please: {cat}",
]


def run() -> dict[str, float]:
    rng = random.Random(2026)
    desk = _seed(rng)
    agent_client = Client()
    agent_client.force_login(desk["agent"])
    requester_client = Client()
    requester_client.force_login(desk["requester"])
    figures: dict[str, float] = {}
    # Each part is measured on its own: a page that is broken today loses only its figures.
    for part in (
        lambda: _queue_figures(agent_client),
        lambda: {"ticket_page_queries": _ticket_page_queries(agent_client, desk)},
        lambda: _api_create_figures(requester_client, desk),
    ):
        try:
            figures.update(part())
        except Exception as error:
            print(f"   !! could not measure: {type(error).__name__}: {error}", file=sys.stderr)
    return figures


# --- seeding ------------------------------------------------------------------------------


def _seed(rng: random.Random) -> dict:
    desk = _seed_people_and_lookups()
    have = Ticket.objects.filter(requester__email__endswith=DOMAIN).count()
    if have < TICKETS:
        started = time.perf_counter()
        _seed_tickets(rng, desk, TICKETS - have)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(f"   seeded {TICKETS - have:,} tickets in {time.perf_counter() - started:.0f} s")
    return desk


@transaction.atomic
def _seed_people_and_lookups() -> dict:
    hashed = make_password(PASSWORD)
    teams = {}
    triage_exists = Team.objects.filter(is_triage=True).exists()
    for slug, name, _share in TEAMS:
        # New tickets land in the triage team; make ours that team unless the database has one.
        is_triage = slug == "bench-triage" and not triage_exists
        teams[slug], _ = Team.objects.get_or_create(
            slug=slug, defaults={"name": name, "is_triage": is_triage}
        )
    agents = {}
    for slug, team in teams.items():
        agents[slug] = []
        for n in range(6):
            email = AGENT_EMAIL if (slug == BUSY_TEAM and n == 0) else f"{slug}-{n}@{DOMAIN}"
            user = _user(email, f"{team.name} agent {n}", hashed)
            Membership.objects.get_or_create(
                user=user, team=team, defaults={"tier": 1 + n % 3, "is_lead": n == 5}
            )
            agents[slug].append(user)
    requesters = [_user(REQUESTER_EMAIL, "Bench Requester", hashed)]
    existing = set(User.objects.filter(email__startswith="person").values_list("email", flat=True))
    new = [
        User(email=f"person{n}@{DOMAIN}", full_name=f"Person {n}", password=hashed)
        for n in range(2_000)
        if f"person{n}@{DOMAIN}" not in existing
    ]
    User.objects.bulk_create(new, batch_size=BATCH)
    requesters += list(User.objects.filter(email__startswith="person", email__endswith=DOMAIN))
    return {
        "teams": teams,
        "agents": agents,
        "agent": User.objects.get(email=AGENT_EMAIL),
        "requester": requesters[0],
        "requesters": requesters,
        "categories": [Category.objects.get_or_create(name=n)[0] for n in CATEGORIES],
        "locations": [Location.objects.get_or_create(name=n)[0] for n in LOCATIONS],
        "products": [Product.objects.get_or_create(name=n)[0] for n in PRODUCTS],
    }


def _user(email: str, name: str, hashed: str) -> User:
    user, _ = User.objects.get_or_create(
        email=email, defaults={"full_name": name, "password": hashed}
    )
    return user


def _seed_tickets(rng: random.Random, desk: dict, count: int) -> None:
    now = timezone.now()
    for start in range(0, count, BATCH):
        with transaction.atomic():
            tickets = Ticket.objects.bulk_create(
                [_ticket(rng, desk, now) for _ in range(min(BATCH, count - start))]
            )
            comments, events = [], []
            for ticket in tickets:
                comments += _comments(rng, desk, ticket)
                events += _events(ticket)
            Comment.objects.bulk_create(comments, batch_size=BATCH)
            TicketEvent.objects.bulk_create(events, batch_size=BATCH)


def _ticket(rng: random.Random, desk: dict, now) -> Ticket:
    slug = rng.choices([t[0] for t in TEAMS], weights=[t[2] for t in TEAMS])[0]
    age = timedelta(days=730 * rng.random() ** 1.6)  # more recent tickets than old ones
    created = now - age
    status = _status(rng, age)
    updated = created + timedelta(hours=rng.uniform(0.1, 72 if status in _DONE else 4))
    updated = min(updated, now)
    category = rng.choice(desk["categories"])
    location = rng.choice(desk["locations"])
    assignee = None
    if status != Status.NEW and slug != "bench-triage":
        assignee = rng.choice(desk["agents"][slug])
    return Ticket(
        subject=rng.choice(SUBJECTS).format(cat=category.name, loc=location.name),
        description="Steps, screenshots and the error message as the requester saw it. " * 3,
        requester=rng.choice(desk["requesters"]),
        channel=rng.choices(Channel.values, weights=[6, 1, 3])[0],
        status=status,
        priority=rng.choices([1, 2, 3, 4], weights=[20, 60, 16, 4])[0],
        category=category,
        location=location,
        product=rng.choice(desk["products"]),
        team=desk["teams"][slug],
        tier=rng.choices([1, 2, 3], weights=[70, 22, 8])[0],
        assignee=assignee,
        created_at=created,
        updated_at=updated,
        first_response_at=created + timedelta(minutes=30) if status != Status.NEW else None,
        resolved_at=updated if status in _DONE else None,
        closed_at=updated if status == Status.CLOSED else None,
    )


_DONE = (Status.RESOLVED, Status.CLOSED)


def _status(rng: random.Random, age: timedelta) -> str:
    """Old tickets are closed; the last weeks hold the active work (about 3 % overall)."""
    if age > timedelta(days=30):
        return Status.CLOSED if rng.random() < 0.985 else rng.choice([Status.OPEN, Status.PENDING])
    if age > timedelta(days=7):
        return rng.choices(
            [Status.CLOSED, Status.RESOLVED, Status.OPEN, Status.PENDING], weights=[45, 35, 12, 8]
        )[0]
    return rng.choices(
        [Status.RESOLVED, Status.NEW, Status.OPEN, Status.PENDING], weights=[45, 20, 25, 10]
    )[0]


def _comments(rng: random.Random, desk: dict, ticket: Ticket) -> list[Comment]:
    staff = desk["agents"][next(s for s, t in desk["teams"].items() if t.pk == ticket.team_id)]
    comments = []
    for n in range(rng.choice([0, 1, 2, 2, 3, 3, 4, 5])):
        internal = n > 0 and rng.random() < 0.25
        author = ticket.requester if (n % 2 and not internal) else rng.choice(staff)
        comments.append(
            Comment(
                ticket=ticket,
                author=author,
                body="Thanks — could you try again now and tell me what you see?",
                is_internal=internal,
                channel=ticket.channel,
                created_at=ticket.created_at + timedelta(minutes=20 * (n + 1)),
            )
        )
    return comments


def _events(ticket: Ticket) -> list[TicketEvent]:
    events = [
        TicketEvent(
            ticket=ticket,
            actor=ticket.requester,
            kind=EventKind.CREATED,
            data={"channel": ticket.channel, "attachments": 0},
            created_at=ticket.created_at,
        )
    ]
    if ticket.status in _DONE:
        events.append(
            TicketEvent(
                ticket=ticket,
                actor=ticket.assignee,
                kind=EventKind.RESOLVED if ticket.status == Status.RESOLVED else EventKind.CLOSED,
                changes={"status": {"before": "open", "after": ticket.status}},
                created_at=ticket.updated_at,
            )
        )
    return events


# --- measuring ----------------------------------------------------------------------------


def _get(client: Client, url: str):
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}, cannot measure it.")
    return response


def _queue_figures(client: Client) -> dict[str, float]:
    for _ in range(3):  # warm up: URL resolver, templates, connection
        _get(client, "/desk/")
    timings = []
    for _ in range(QUEUE_REQUESTS):
        started = time.perf_counter()
        _get(client, "/desk/")
        timings.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        _get(client, "/desk/")
    return {
        "queue_page_p50_ms_100k": statistics.median(timings),
        "queue_page_p95_ms_100k": _p95(timings),
        "queue_page_queries": float(len(queries)),
    }


def _p95(values: list[float]) -> float:
    """Nearest-rank 95th percentile: of 30 requests, the 29th fastest."""
    ordered = sorted(values)
    return ordered[max(0, -(-95 * len(ordered) // 100) - 1)]


def _ticket_page_queries(client: Client, desk: dict) -> float:
    ticket = (
        Ticket.objects.filter(team=desk["teams"][BUSY_TEAM], status=Status.OPEN)
        .exclude(comments=None)
        .order_by("-updated_at")
        .first()
    )
    url = f"/desk/tickets/{ticket.reference}/"
    _get(client, url)
    with CaptureQueriesContext(connection) as queries:
        _get(client, url)
    return float(len(queries))


def _api_create_figures(client: Client, desk: dict) -> dict[str, float]:
    timings = []
    for n in range(API_CREATES):
        payload = {
            "subject": f"Till {n} will not print receipts",
            "description": "The printer light is green but nothing comes out.",
            "category": desk["categories"][n % len(CATEGORIES)].pk,
            "location": desk["locations"][n % len(LOCATIONS)].pk,
            "product": desk["products"][0].pk,
            "priority": 2,
        }
        started = time.perf_counter()
        response = client.post("/api/v1/tickets/", payload, content_type="application/json")
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 201:
            raise RuntimeError(f"POST /api/v1/tickets/ answered {response.status_code}.")
    return {
        "api_create_ms_p50": statistics.median(timings),
        "api_create_ms_p95": _p95(timings),
    }
