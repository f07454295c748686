"""The agent queue at 100,000 tickets: page time, queries per page, and what opening a ticket
and replying cost on a desk configured like the demo.

Seeds (once; later runs reuse it) a desk of six teams whose history is 100,000 tickets over two
years — most resolved or closed, a few hundred active per team — each with a few comments and
its SLA clocks, written with COPY (bench/bulk_seed.py; a million in about six minutes). Then measures through Django's test client
as a signed-in tier-1 agent of the busiest team (and as a requester).

The queue and ticket pages are measured first. Then the desk is configured as `seed_demo`
configures it — the routing, SLA and subtask apps' own ``configure(demo)``: the demo's routing
rules, root causes, subtask templates, business calendars and SLA policies — plus one rule that
applies a subtask template; the tickets the API opens use the demo's lookups, so each one is
placed by a rule and gets SLA clocks. ``api_create_ms_*`` times the whole POST as a client sees
it (committed; with the bench settings the tasks queued on commit run inline).
``portal_create_queries`` and ``reply_queries`` count the SQL of one request as
tests/test_reactions.py does: inside a transaction that is rolled back, so what runs on commit
(e-mails, links) is not executed nor counted. Afterwards the configuration and the tickets the
measurements opened are deleted, so the other benchmarks never see them (routing's rules,
SLA's sweep).

``BENCH_TICKETS=2000 python -m bench queue`` seeds and measures a smaller desk to try the bench
out (use a database of its own: a database already seeded with more tickets is reused as is);
``python -m bench`` does not write results.json when BENCH_TICKETS is set.
"""

import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Membership, Team, User
from apps.core.models import OutboxMessage
from apps.routing import demo as routing_demo
from apps.routing.models import RootCause, Rule
from apps.routing.rules import rule_create
from apps.sla import demo as sla_demo
from apps.sla.models import Calendar, Clock, Policy
from apps.subtasks import demo as subtasks_demo
from apps.subtasks.models import Subtask, SubtaskTemplate
from apps.tickets import demo as tickets_demo
from apps.tickets.models import (
    Category,
    Location,
    Product,
    Ticket,
)
from apps.tickets.services import comment_add, ticket_create

from . import bulk_seed, demo_tickets, p95
from .reads import read_figures

# ``make bench SIZE=1m`` (BENCH_SIZE=1m): a million tickets, seeded with COPY (bench.bulk_seed)
# into a database of their own, and only the read figures, suffixed _1m.
SIZE = os.environ.get("BENCH_SIZE") or "100k"
SIZES = {"100k": 100_000, "1m": 1_000_000}
TICKETS = int(os.environ.get("BENCH_TICKETS") or SIZES[SIZE])
# Comments per ticket on average in the COPY seed (BENCH_COMMENTS=5: five million at 1m).
COMMENTS_PER_TICKET = float(os.environ.get("BENCH_COMMENTS") or 5)
BATCH = 5_000
QUEUE_REQUESTS = 30
API_CREATES = 50
DOMAIN = "bench.switchboard.local"
AGENT_EMAIL = f"agent@{DOMAIN}"
LEAD_EMAIL = f"lead@{DOMAIN}"
# The lead's teams: several queues at once (the busiest among them).
LEAD_TEAMS = ("bench-service-desk", "bench-networks", "bench-identity")
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

# What the API opens on the configured desk, cycled: subject, then the demo's category, product
# and location. Each is placed by one of the demo's rules (the last by the subtask rule below).
API_TICKETS = [*demo_tickets.ROUTED, demo_tickets.WITH_SUBTASKS]
# The portal's ticket (and the one replied to), as in tests/test_reactions.py: rules set its
# team and priority and add a three-item subtask template; an SLA policy starts its clocks.
PORTAL_TICKET = API_TICKETS[-1]
# The demo's rules apply no subtask template; a configured desk has one that does.
SUBTASK_TEMPLATE = "Wrong data after a bug"
SUBTASK_RULE = "Wrong data to the Service Desk, with the data-fix subtasks"
# Bench team → the demo's team slug its configure() expects.
DEMO_TEAMS = {
    "triage": "bench-triage",
    "service-desk": BUSY_TEAM,
    "networks": "bench-networks",
    "payments-engineering": "bench-payments",
}


def run() -> dict[str, float]:
    rng = random.Random(2026)
    desk = _seed(rng)
    figures = read_figures(desk, suffix=SIZE)
    if SIZE != "100k":
        return figures
    agent_client = Client()
    agent_client.force_login(desk["agent"])
    requester_client = Client()
    requester_client.force_login(desk["requester"])
    try:
        with _configured_desk(desk) as demo:
            _measure(figures, lambda: _api_create_figures(requester_client, demo))
            _measure(
                figures,
                lambda: {"portal_create_queries": _portal_create_queries(requester_client, demo)},
            )
            _measure(figures, lambda: {"reply_queries": _reply_queries(agent_client, desk, demo)})
    except Exception as error:
        print(
            f"   !! could not configure the desk: {type(error).__name__}: {error}", file=sys.stderr
        )
    return figures


def _measure(figures: dict[str, float], part: Callable[[], dict[str, float]]) -> None:
    try:
        figures.update(part())
    except Exception as error:
        print(f"   !! could not measure: {type(error).__name__}: {error}", file=sys.stderr)


# --- seeding ------------------------------------------------------------------------------


def _seed(rng: random.Random) -> dict:
    desk = _seed_people_and_lookups()
    have = Ticket.objects.filter(requester__email__endswith=DOMAIN).count()
    if have < TICKETS:
        done = bulk_seed.seed(
            rng=rng, desk=desk, count=TICKETS - have, comments_per_ticket=COMMENTS_PER_TICKET
        )
        print(
            f"   seeded {done['tickets']:,} tickets, {done['comments']:,} comments and "
            f"{done['clocks']:,} SLA clocks in {done['seconds']:.0f} s (COPY)",
            flush=True,
        )
    return desk


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
    lead = _user(LEAD_EMAIL, "Bench Lead", hashed)
    for slug in LEAD_TEAMS:
        Membership.objects.get_or_create(
            user=lead, team=teams[slug], defaults={"tier": 1, "is_lead": True}
        )
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
        "lead": lead,
        "triager": agents["bench-triage"][0],
        "admin": User.objects.get_or_create(
            email=f"admin@{DOMAIN}",
            defaults={"full_name": "Bench Admin", "password": hashed, "is_superuser": True},
        )[0],
        "team_shares": TEAMS,
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


# --- the configured desk ------------------------------------------------------------------


class _Out:
    """What configure() writes to the seed command's stdout, as a line of the bench output."""

    def write(self, message: str) -> None:
        print(f"   {message.strip()}", flush=True)


@contextmanager
def _configured_desk(desk: dict):
    """The demo's configuration for the measurements inside; removed again afterwards, with
    the tickets they opened."""
    demo = _demo_dict(desk)
    _unconfigure(demo)  # what a run that was killed half-way left
    with transaction.atomic():
        # In seed_demo's order (INSTALLED_APPS): SLA, then routing, then subtasks.
        sla_demo.configure(demo)
        routing_demo.configure(demo)
        subtasks_demo.configure(demo)
        rule_create(
            actor=demo["people"]["admin"],
            data={
                "name": SUBTASK_RULE,
                "conditions": {
                    "all": [{"field": "category", "op": "equals", "value": "Data correction"}]
                },
                "actions": [
                    {"action": "set_team", "params": {"team": demo["teams"]["service-desk"].pk}},
                    {
                        "action": "create_subtasks_from_template",
                        "params": {"template": demo["subtask_templates"][SUBTASK_TEMPLATE].pk},
                    },
                ],
                "stop_processing": True,
            },
        )
    demo["first_ticket"] = _next_pk(Ticket)
    demo["first_message"] = _next_pk(OutboxMessage)
    try:
        yield demo
    finally:
        _unconfigure(demo)


def _next_pk(model) -> int:
    return (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1


def _demo_dict(desk: dict) -> dict:
    """What the apps' configure(demo) read, made of the bench's own teams and people; the
    demo's categories, products and locations (shared names are the bench's rows)."""
    hashed = make_password(PASSWORD)
    admin, _ = User.objects.get_or_create(
        email=f"admin@{DOMAIN}",
        defaults={
            "full_name": "Bench Admin",
            "password": hashed,
            "is_staff": True,
            "is_superuser": True,
        },
    )
    collaborators = {
        key: _user(f"{key.replace('_', '.')}@{DOMAIN}", f"Bench {key.replace('_', ' ')}", hashed)
        for key in ("operations", "tester", "data_owner", "manager")
    }
    busy = desk["teams"][BUSY_TEAM]
    lead = Membership.objects.filter(team=busy, is_lead=True).select_related("user").first().user
    return {
        "stdout": _Out(),
        "logins": [],
        "password": PASSWORD,
        "started_at": timezone.now(),
        "teams": {slug: desk["teams"][bench] for slug, bench in DEMO_TEAMS.items()},
        "people": {"admin": admin, "lead": lead, "requester": desk["requester"], **collaborators},
        "collaborators": collaborators,
        "requesters": [desk["requester"]],
        "categories": {
            n: Category.objects.get_or_create(name=n, defaults={"description": d})[0]
            for n, d in tickets_demo.CATEGORIES.items()
        },
        "locations": {n: Location.objects.get_or_create(name=n)[0] for n in tickets_demo.LOCATIONS},
        "products": {n: Product.objects.get_or_create(name=n)[0] for n in tickets_demo.PRODUCTS},
    }


@transaction.atomic
def _unconfigure(demo: dict) -> None:
    """Delete the tickets the measurements opened (their clocks, subtasks, events go with
    them) and the e-mails they sent, the rules, root causes, subtask templates, SLA policies and
    calendars."""
    if "first_ticket" in demo:
        Ticket.objects.filter(
            pk__gte=demo["first_ticket"], requester__email__endswith=DOMAIN
        ).delete()
        OutboxMessage.objects.filter(pk__gte=demo["first_message"]).delete()
    Rule.objects.filter(updated_by=demo["people"]["admin"]).delete()  # only the bench's admin
    RootCause.objects.filter(name__in=routing_demo.ROOT_CAUSES).delete()
    SubtaskTemplate.objects.filter(name__in=subtasks_demo.TEMPLATES).delete()
    policies = [p.pk for p in demo.get("sla_policies", {}).values()]
    calendars = [c.pk for c in demo.get("calendars", {}).values()]
    Policy.objects.filter(pk__in=policies).delete()
    Calendar.objects.filter(pk__in=calendars).delete()


# --- measuring ----------------------------------------------------------------------------


def _get(client: Client, url: str):
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}, cannot measure it.")
    return response


def _api_create_figures(client: Client, demo: dict) -> dict[str, float]:
    timings = []
    for n in range(API_CREATES):
        subject, category, product, location = API_TICKETS[n % len(API_TICKETS)]
        payload = {
            "subject": subject.format(n=n + 1),
            "description": "Since this morning; it happens to every colleague here too.",
            "category": demo["categories"][category].pk,
            "location": demo["locations"][location].pk,
            "product": demo["products"][product].pk,
        }
        started = time.perf_counter()
        response = client.post("/api/v1/tickets/", payload, content_type="application/json")
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 201:
            raise RuntimeError(
                f"POST /api/v1/tickets/ answered {response.status_code}: {response.content[:300]}"
            )
    _check_configured(demo)
    return {
        "api_create_ms_p50": statistics.median(timings),
        "api_create_ms_p95": p95(timings),
    }


def _check_configured(demo: dict) -> None:
    """The figure is only worth having if the desk did its work: every ticket placed by a rule,
    clocks running, template subtasks added."""
    created = Ticket.objects.filter(pk__gte=demo["first_ticket"], requester__email__endswith=DOMAIN)
    triage = created.filter(team=demo["teams"]["triage"]).count()
    clocked = created.filter(sla_clocks__isnull=False).distinct().count()
    subtasks = Subtask.objects.filter(ticket__in=created).count()
    print(
        f"   api tickets: {created.count()}, {triage} left in triage, {clocked} with SLA clocks "
        f"({Clock.objects.filter(ticket__in=created).count()} clocks), {subtasks} subtasks",
        flush=True,
    )
    if triage or clocked < created.count() or not subtasks:
        raise RuntimeError("the API's tickets did not all meet the demo's rules and SLA policies.")


@contextmanager
def _rolled_back():
    """A transaction that is rolled back: what the request commits is undone, and what it
    queues for after commit never runs (as under the tests' transaction)."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _request_queries(queries: CaptureQueriesContext) -> int:
    """The SQL a request sends, less the savepoint pair standing in, under our transaction, for
    the request's BEGIN and COMMIT (as tests/test_reactions.py counts)."""
    sql = [q["sql"] for q in queries.captured_queries]
    outer = next((i for i, q in enumerate(sql) if q.startswith("SAVEPOINT")), None)
    if outer is not None and sql[-1] == "RELEASE " + sql[outer]:
        del sql[-1], sql[outer]
    return len(sql)


def _portal_payload(demo: dict, subject: str) -> dict:
    _subject, category, product, location = PORTAL_TICKET
    return {
        "subject": subject,
        "description": "The shelf labels show last week's prices since the nightly import.",
        "category": demo["categories"][category].pk,
        "location": demo["locations"][location].pk,
        "product": demo["products"][product].pk,
    }


def _portal_create_queries(client: Client, demo: dict) -> float:
    url = reverse("portal:new")
    subject = PORTAL_TICKET[0].format(n=300)
    with _rolled_back():
        client.post(url, _portal_payload(demo, "Warm-up"))  # caches: rules, calendars
        with CaptureQueriesContext(connection) as queries:
            response = client.post(url, _portal_payload(demo, subject))
        if response.status_code != 302:
            raise RuntimeError(f"POST {url} answered {response.status_code}, cannot measure it.")
        ticket = Ticket.objects.filter(subject=subject).latest("pk")
        if ticket.team != demo["teams"]["service-desk"] or not ticket.subtasks.exists():
            raise RuntimeError("the portal's ticket did not meet the demo's rules.")
        return float(_request_queries(queries))


def _reply_queries(client: Client, desk: dict, demo: dict) -> float:
    agent = desk["agent"]
    subject, category, product, location = PORTAL_TICKET
    with _rolled_back():
        ticket = ticket_create(
            requester=desk["requester"],
            subject=subject.format(n=301),
            description="The shelf labels show last week's prices since the nightly import.",
            category=demo["categories"][category],
            location=demo["locations"][location],
            product=demo["products"][product],
        )
        if ticket.team_id != desk["teams"][BUSY_TEAM].pk:
            raise RuntimeError("the ticket to reply to is not in the agent's team.")
        comment_add(ticket=ticket, author=agent, body="Looking.")  # the first response is given
        url = reverse("workspace:reply", args=[ticket.reference])
        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                url, {"body": "Please restart the till and try again.", "visibility": "public"}
            )
        if response.status_code != 302 or ticket.comments.count() != 2:
            raise RuntimeError(f"POST {url} answered {response.status_code}, cannot measure it.")
        return float(_request_queries(queries))
