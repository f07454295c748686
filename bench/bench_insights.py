"""Insights at 1,000,000 tickets: the lead dashboard's time and queries, a KPI page, the Pareto,
the CSV export of a quarter, and how fast facts are rebuilt.

Seeds (once; later runs reuse it, and top it up when it holds fewer tickets than wanted) four
years of a desk of eight teams of very different sizes in the database DATABASE_URL names —
``make bench`` uses switchboard_bench, which the other benchmarks share: everything here is
marked (teams ``ib-*``, people ``@insights.switchboard-bench.local``) and only these tickets get
facts. People, teams, lookups, root causes and articles are made with the ORM; tickets and what
the other apps keep about them are written inside PostgreSQL, ``INSERT … SELECT … FROM
generate_series``: weekday-heavy arrivals growing over the years, mostly normal priority,
log-normal times to respond and to resolve, ~98 % resolved or closed, a few dozen root causes
with a Pareto-like share (``routing_ticketclassification``, some regressions), time per tier,
escalations, a few thousand hand-backs (to the team and to the requester), reopen events, SLA
clocks for the last half-year (decided ones only: nothing for the SLA sweep), and deflections.
Ticket columns this module does not know are copied from a template ticket made with the ORM,
so the insert keeps working when other apps add columns. Facts are then written by
``facts_refresh`` in the batches ``facts_rebuild`` uses (2,000 ids per statement, about 6,000
facts a second: three minutes for a million, once); ``insights_facts_rebuild_per_s`` times those
batches over the newest 20,000 tickets on every run.

Pages are measured through Django's test client as the lead of one mid-size team (and as an
admin, who sees every team): 3 warm-ups, then 30 requests each.

``BENCH_TICKETS=20000 python -m bench insights`` seeds and measures a smaller desk (use a
database of its own: one already seeded with more tickets is reused as is). With BENCH_EXPLAIN
set, the plans (EXPLAIN ANALYZE, BUFFERS) of the lead dashboard's slowest queries are printed.
"""

import os
import statistics
import sys
import time
from collections.abc import Callable

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.accounts.models import Membership, Team, User
from apps.insights.facts import facts_refresh
from apps.knowledge.models import Article, ArticleStatus, Audience, Deflection
from apps.routing.models import RootCause
from apps.sla.models import Calendar, Policy, WorkingHours
from apps.tickets.models import Category, Location, Product, Ticket
from bench import p95

TICKETS = int(os.environ.get("BENCH_TICKETS") or 1_000_000)
YEARS_WEEKS = 209  # four years
RUNS, WARM_UPS = 30, 3
FACT_BATCH = 2_000  # facts_rebuild's batch
REBUILD_SLICE = 20_000
EXPORT_RUNS = 5
# Not under bench_queue's "bench.switchboard.local": it counts the tickets of people under it.
DOMAIN = "insights.switchboard-bench.local"
PASSWORD = "bench-password-1"
MARK = "insights-bench"
AGENTS_PER_TEAM = 8

# slug, name, share of the tickets. The lead measured leads Identity & Access (a tenth).
TEAMS = [
    ("ib-service-desk", "IB Service Desk", 0.31),
    ("ib-store-systems", "IB Store Systems", 0.19),
    ("ib-networks", "IB Networks", 0.13),
    ("ib-identity", "IB Identity & Access", 0.10),
    ("ib-payments", "IB Payments", 0.09),
    ("ib-workplace", "IB Workplace IT", 0.08),
    ("ib-data", "IB Data & Reporting", 0.06),
    ("ib-security", "IB Security", 0.04),
]
LEAD_TEAM = "ib-identity"
# Most common first: the n-th is drawn about 1/n as often (a Pareto: a handful make most).
ROOT_CAUSES = [
    "IB Expired password", "IB User error", "IB Software defect", "IB Bad master data",
    "IB Network hardware failure", "IB Card terminal firmware", "IB Mailbox quota",
    "IB Account locked", "IB Printer driver", "IB Provider outage", "IB Performance degradation",
    "IB Missing permission", "IB Wrong configuration", "IB Hardware wear", "IB Certificate expired",
    "IB Sync job failed", "IB Disk full", "IB Licence expired", "IB Browser cache",
    "IB Duplicate record", "IB Payment gateway timeout", "IB VPN client outdated",
    "IB Scanner pairing lost", "IB Wrong price import", "IB DNS change", "IB Power cut",
    "IB Vendor bug", "IB Backup failure", "IB Time zone setting", "IB Payroll rule",
    "IB Shared drive moved", "IB Phishing", "IB Label template", "IB Stock count error",
    "IB API rate limit", "IB Unknown",
]  # fmt: skip
FEATURES = [
    "Sign-in", "Checkout", "Refunds", "Price labels", "Stock view", "Payslips", "Shared mailboxes",
    "VPN", "Printing", "Reports", "Search", "Card payments", "Onboarding", "Leavers", "Wi-Fi",
    "Calendar", "File shares", "Scanners", "Exports", "Notifications",
]  # fmt: skip
CATEGORIES = [
    "Cannot sign in", "Password reset", "Card payment declined", "Till frozen",
    "Printer not printing", "Wi-Fi down", "VPN will not connect", "Payroll figure wrong",
    "New starter access", "Leaver access removal", "E-mail not arriving", "Laptop slow",
    "Software install request", "Barcode scanner fault", "Stock figure wrong",
]  # fmt: skip
LOCATIONS = ["Store 112 Lyon", "Store 204 Lille", "Store 087 Nantes", "Head office Paris",
             "Distribution centre Orléans", "Store 301 Bordeaux", "Store 045 Marseille"]  # fmt: skip
PRODUCTS = ["Store POS", "Payroll", "Card terminal", "Intranet", "E-mail", "VPN", "Stock app"]
RESOLUTIONS = ["information", "documentation", "workaround", "change", "duplicate", "no_action"]
ARTICLES = 12  # the first eight of one team each, the rest desk-wide


def run() -> dict[str, float]:
    desk = _seed()
    lead, admin = Client(), Client()
    lead.force_login(desk["lead"])
    admin.force_login(desk["admin"])
    team = desk["teams"][LEAD_TEAM].pk
    figures: dict[str, float] = {}
    # Each part on its own: a page that is broken today loses only its figures. The rebuild
    # first: the vacuum after it leaves the table as every run finds it (no page of the newest
    # facts rewritten since, which index-only scans would have to read).
    _measure(figures, lambda: {"insights_facts_rebuild_per_s": _rebuild_per_s(desk)})
    _measure(figures, lambda: _page(lead, "/insights/", "insights_dashboard", queries=True))
    _measure(figures, lambda: _page(admin, "/insights/", "insights_dashboard_admin"))
    _measure(
        figures, lambda: _page(lead, "/insights/?period=last_quarter", "insights_dashboard_quarter")
    )
    _measure(
        figures,
        lambda: _page(
            lead, "/insights/figures/resolution_median/?by=root_cause", "insights_kpi_page"
        ),
    )
    _measure(figures, lambda: _page(lead, "/insights/pareto/?weight=time", "insights_pareto"))
    _measure(figures, lambda: _export_figures(lead, team))
    if os.environ.get("BENCH_EXPLAIN"):
        _explain(lead, "/insights/")
    return figures


def _measure(figures: dict[str, float], part: Callable[[], dict[str, float]]) -> None:
    try:
        figures.update(part())
    except Exception as error:
        print(f"   !! could not measure: {type(error).__name__}: {error}", file=sys.stderr)


# --- seeding ------------------------------------------------------------------------------


def _seed() -> dict:
    desk = _seed_people_and_lookups()
    have = Ticket.objects.filter(team__in=desk["teams"].values()).count()
    if have < TICKETS:
        started = time.perf_counter()
        first = _insert_tickets(desk, TICKETS - have)
        print(
            f"   seeded {TICKETS - have:,} tickets and their rows in "
            f"{time.perf_counter() - started:.0f} s",
            flush=True,
        )
        started = time.perf_counter()
        written = _write_facts(desk, first)
        print(f"   wrote {written:,} facts in {time.perf_counter() - started:.0f} s", flush=True)
    _seed_deflections(desk)
    if have < TICKETS:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # fresh statistics and visibility map
    return desk


@transaction.atomic
def _seed_people_and_lookups() -> dict:
    hashed = make_password(PASSWORD)
    teams = {
        slug: Team.objects.get_or_create(slug=slug, defaults={"name": name})[0]
        for slug, name, _share in TEAMS
    }
    agents = []
    for slug, team in teams.items():
        for n in range(AGENTS_PER_TEAM):
            user = _user(f"{slug}-{n}@{DOMAIN}", f"{team.name} agent {n}", hashed)
            Membership.objects.get_or_create(
                user=user, team=team, defaults={"tier": 1 + n % 3, "is_lead": n == 0}
            )
            agents.append(user.pk)
    admin = _user(f"admin@{DOMAIN}", "Insights Bench Admin", hashed)
    if not admin.is_staff:
        User.objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    existing = set(
        User.objects.filter(email__startswith="person", email__endswith=DOMAIN).values_list(
            "email", flat=True
        )
    )
    User.objects.bulk_create(
        [
            User(email=f"person{n}@{DOMAIN}", full_name=f"Person {n}", password=hashed)
            for n in range(3_000)
            if f"person{n}@{DOMAIN}" not in existing
        ],
        batch_size=1_000,
    )
    requesters = list(
        User.objects.filter(email__startswith="person", email__endswith=DOMAIN)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    calendar, _ = Calendar.objects.get_or_create(name=f"{MARK} 24x7", defaults={"time_zone": "UTC"})
    if not calendar.hours.exists():
        WorkingHours.objects.bulk_create(
            WorkingHours(calendar=calendar, weekday=d, start="00:00", end="24:00") for d in range(7)
        )
    policy, _ = Policy.objects.get_or_create(
        name=MARK, defaults={"calendar": calendar, "is_active": False}
    )
    template = Ticket.objects.filter(subject=MARK).order_by("pk").first()
    if template is None:
        template = Ticket.objects.create(
            subject=MARK,
            description="Template of the insights benchmark's tickets.",
            requester_id=requesters[0],
        )
    articles = []
    for n in range(ARTICLES):
        team = list(teams.values())[n] if n < len(teams) else None
        article, _ = Article.objects.get_or_create(
            slug=f"{MARK}-article-{n}",
            defaults={
                "title": f"How to fix it yourself, part {n}",
                "status": ArticleStatus.PUBLISHED,
                "audience": Audience.TEAM if team else Audience.PUBLIC,
                "team": team,
                "published_at": timezone.now(),
            },
        )
        articles.append(article.pk)
    return {
        "teams": teams,
        "agents": agents,
        "lead": Membership.objects.get(team=teams[LEAD_TEAM], is_lead=True).user,
        "admin": User.objects.get(pk=admin.pk),
        "requesters": requesters,
        "template": template,
        "policy": policy,
        "articles": articles,
        "categories": _lookups(Category, CATEGORIES),
        "locations": _lookups(Location, LOCATIONS),
        "products": _lookups(Product, PRODUCTS),
        "root_causes": [RootCause.objects.get_or_create(name=n)[0].pk for n in ROOT_CAUSES],
    }


def _user(email: str, name: str, hashed: str) -> User:
    return User.objects.get_or_create(
        email=email, defaults={"full_name": name, "password": hashed}
    )[0]


def _lookups(model, names: list[str]) -> list:
    return [model.objects.get_or_create(name=name)[0] for name in names]


def _thresholds(shares: list[float]) -> list[float]:
    """Lower bounds of each choice's slice of [0, 1): ``width_bucket(random(), …)`` picks one."""
    total, bounds, running = sum(shares), [], 0.0
    for share in shares:
        bounds.append(running / total)
        running += share
    return bounds


# The tickets, drawn in four steps (inner subqueries hold random() so each draw is made once):
# the dice; when it was created (weekday-heavy, office hours, more of them lately) and how long
# it took; whether it is done; then the columns — in the order they were created, as a desk
# writes them (ids and table order follow time).
TICKETS_SQL = """
INSERT INTO tickets_ticket ({columns})
SELECT {values}
FROM (
    SELECT w.*,
        w.done_at IS NULL AND (w.r_status < 0.15 OR w.created + w.fr_s * interval '1 second'
            > %(now)s) AS is_new,
        w.done_at < %(now)s - interval '7 days' AS is_closed
    FROM (
        SELECT c.*,
            CASE WHEN c.created + c.resolve_s * interval '1 second' > %(now)s
                OR c.r_stuck < 0.6 * exp(EXTRACT(EPOCH FROM c.created - %(now)s) / 3456000)
                THEN NULL
                ELSE c.created + c.resolve_s * interval '1 second' END AS done_at
        FROM (
            SELECT b.*,
                CASE WHEN b.base > %(now)s THEN b.base - interval '7 days' ELSE b.base END
                    AS created,
                LEAST((ARRAY[172800, 72000, 21600, 7200])[b.priority] * exp(1.3 * b.z1),
                    10368000.0) AS resolve_s,
                LEAST((ARRAY[7200, 2400, 900, 300])[b.priority] * exp(1.1 * b.z2),
                    (ARRAY[172800, 72000, 21600, 7200])[b.priority] * exp(1.3 * b.z1) * 0.9)
                    AS fr_s
            FROM (
                SELECT d.*,
                    date_trunc('week', %(now)s::timestamptz)
                    - floor(%(weeks)s * d.age) * interval '1 week'
                    + d.weekday * interval '1 day' + d.hour * interval '1 hour' AS base
                FROM (
                    SELECT g,
                        width_bucket(random(), %(teams_at)s::float8[]) AS team_n,
                        width_bucket(random(), ARRAY[0, 0.12, 0.80, 0.96]) AS priority,
                        width_bucket(random(), ARRAY[0, 0.74, 0.93]) AS tier,
                        width_bucket(random(), ARRAY[0, 0.6, 0.7]) AS channel_n,
                        width_bucket(random(), ARRAY[0, .22, .42, .61, .79, .94, .975]) - 1
                            AS weekday,
                        CASE WHEN random() < 0.1 THEN 24 * random()
                            ELSE 7.5 + 5 * (random() + random()) END AS hour,
                        CASE WHEN random() < 0.5 THEN random()
                            ELSE 1 - power(random(), 0.8) END AS age,
                        sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS z1,
                        sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS z2,
                        1 + floor(%(categories)s * power(random(), 1.6))::int AS category_n,
                        1 + floor(%(locations)s * random())::int AS location_n,
                        1 + floor(%(products)s * power(random(), 1.3))::int AS product_n,
                        1 + floor(%(requesters)s * random())::int AS requester_n,
                        floor({agents} * random())::int AS agent_n,
                        width_bucket(random(), %(resolutions_at)s::float8[]) AS resolution_n,
                        random() AS r_status,
                        random() AS r_stuck
                    FROM generate_series(1, %(count)s) AS g
                ) AS d
            ) AS b
        ) AS c
    ) AS w
) AS t, tickets_ticket AS tpl
WHERE tpl.id = %(template)s
ORDER BY t.created
"""
TICKET_VALUES = {
    "subject": "(%(category_names)s::text[])[t.category_n] || ' at ' "
    "|| (%(location_names)s::text[])[t.location_n]",
    "description": "'Steps, screenshots and the error message as the requester saw it.'",
    "channel": "(ARRAY['web', 'email', 'api'])[t.channel_n]",
    "status": "CASE WHEN t.done_at IS NULL THEN CASE WHEN t.is_new THEN 'new' "
    "WHEN t.r_status < 0.7 THEN 'open' ELSE 'pending' END "
    "WHEN t.is_closed THEN 'closed' ELSE 'resolved' END",
    "priority": "t.priority",
    "tier": "t.tier",
    "created_at": "t.created",
    "updated_at": "COALESCE(CASE WHEN t.is_closed THEN t.done_at + interval '7 days' END, "
    "t.done_at, CASE WHEN t.is_new THEN t.created END, "
    "LEAST(t.created + 2 * t.fr_s * interval '1 second', %(now)s))",
    "first_response_at": "CASE WHEN t.is_new THEN NULL "
    "ELSE t.created + t.fr_s * interval '1 second' END",
    "resolved_at": "t.done_at",
    "closed_at": "CASE WHEN t.is_closed THEN t.done_at + interval '7 days' END",
    "assignee_id": "CASE WHEN t.is_new THEN NULL "
    f"ELSE (%(agents)s::bigint[])[(t.team_n - 1) * {AGENTS_PER_TEAM} + t.agent_n + 1] END",
    "category_id": "(%(category_ids)s::bigint[])[t.category_n]",
    "location_id": "(%(location_ids)s::bigint[])[t.location_n]",
    "product_id": "(%(product_ids)s::bigint[])[t.product_n]",
    "requester_id": "(%(requester_ids)s::bigint[])[t.requester_n]",
    "team_id": "(%(team_ids)s::bigint[])[t.team_n]",
    "holder_id": "NULL",
    "holder_team_id": "NULL",
    "intake_address": "''",
    "resolution": "CASE WHEN t.done_at IS NULL THEN '' "
    "ELSE (%(resolutions)s::text[])[t.resolution_n] END",
}

# Time per tier: a share of the time open was worked; 1 % of escalated tickets (0.4 % of the
# others, escalated then sent back down) were handed back to the team once, and escalated again.
TIER_TIME_SQL = """
INSERT INTO tickets_tiertime (ticket_id, current_tier, segment_started_at, tier1_seconds,
    tier2_seconds, tier3_seconds, opened_at, resolved_at, open_to_resolved_seconds, escalations,
    hand_backs, updated_at)
SELECT y.id, y.tier, CASE WHEN y.done_at IS NULL THEN %(now)s END, y.t1, y.t2,
    GREATEST(y.worked - y.t1 - y.t2, 0) * (y.top = 3)::int, y.created_at, y.done_at,
    CASE WHEN y.done_at IS NOT NULL THEN y.span END,
    y.top - 1 + CASE WHEN y.tier >= 2 THEN y.hb ELSE 0 END, y.hb, y.updated_at
FROM (
    SELECT x.*,
        x.worked * CASE x.top WHEN 1 THEN 1 WHEN 2 THEN 0.15 + 0.3 * x.a ELSE 0.1 + 0.2 * x.a END
            AS t1,
        CASE x.top WHEN 1 THEN 0 WHEN 2 THEN x.worked * (0.85 - 0.3 * x.a)
            ELSE x.worked * (0.2 + 0.2 * x.b) END AS t2
    FROM (
        SELECT v.*, GREATEST(v.tier, 1 + v.hb) AS top, v.span * (0.35 + 0.55 * v.r) AS worked
        FROM (
            SELECT t.id, t.tier, t.created_at, t.updated_at,
                CASE WHEN t.status IN ('resolved', 'closed')
                    THEN COALESCE(t.resolved_at, t.closed_at) END AS done_at,
                EXTRACT(EPOCH FROM COALESCE(t.resolved_at, %(now)s) - t.created_at) AS span,
                (random() < CASE WHEN t.tier >= 2 THEN 0.01 ELSE 0.004 END)::int AS hb,
                random() AS r, random() AS a, random() AS b
            FROM tickets_ticket t
            WHERE t.id >= %(first)s AND t.team_id = ANY(%(team_ids)s::bigint[])
        ) AS v
    ) AS x
) AS y
"""
# One row per move up: 1→2 (again after a hand-back), 2→3.
ESCALATIONS_SQL = """
INSERT INTO tickets_escalation (from_tier, to_tier, reason, created_at, from_assignee_id,
    from_team_id, ticket_id, to_team_id)
SELECT LEAST(k, GREATEST(tt.current_tier, 2) - 1), LEAST(k, GREATEST(tt.current_tier, 2) - 1) + 1,
    'Needs the next tier.',
    t.created_at + tt.tier1_seconds * k / tt.escalations * interval '1 second',
    t.assignee_id, t.team_id, t.id, t.team_id
FROM tickets_tiertime tt JOIN tickets_ticket t ON t.id = tt.ticket_id,
    generate_series(1, tt.escalations) AS k
WHERE tt.ticket_id >= %(first)s AND tt.escalations > 0
    AND t.team_id = ANY(%(team_ids)s::bigint[])
"""
HAND_BACKS_SQL = """
INSERT INTO tickets_handback (from_team_id, from_tier, to_team_id, to_tier, to_requester,
    missing, note, actor_id, created_at, ticket_id)
SELECT t.team_id, GREATEST(t.tier, 2), t.team_id, GREATEST(t.tier, 2) - 1, false,
    '["Steps to reproduce", "Screenshot"]'::jsonb, '', t.assignee_id,
    t.created_at + (tt.tier1_seconds + 0.3 * tt.tier2_seconds) * interval '1 second', t.id
FROM tickets_tiertime tt JOIN tickets_ticket t ON t.id = tt.ticket_id
WHERE tt.ticket_id >= %(first)s AND tt.hand_backs > 0
    AND t.team_id = ANY(%(team_ids)s::bigint[])
UNION ALL
SELECT t.team_id, t.tier, t.team_id, t.tier, true, '["Order number"]'::jsonb, '', t.assignee_id,
    t.created_at + interval '2 hours', t.id
FROM tickets_ticket t
WHERE t.id >= %(first)s AND t.team_id = ANY(%(team_ids)s::bigint[]) AND t.tier >= 2
    AND random() < 0.004
"""
# Most done tickets classified (root cause k drawn ~1/k as often), a fifth of the open ones.
CLASSIFICATION_SQL = """
INSERT INTO routing_ticketclassification (ticket_id, root_cause_id, is_regression, feature,
    updated_by_id, updated_at)
SELECT x.id, (%(causes)s::bigint[])[x.cause_n], x.r_regression < 0.04,
    CASE WHEN x.r_feature < 0.6 THEN (%(features)s::text[])[x.feature_n] ELSE '' END,
    x.assignee_id, x.updated_at
FROM (
    SELECT t.id, t.status, t.assignee_id, t.updated_at, random() AS r_classified,
        LEAST(floor(power(%(cause_count)s + 1, random())), %(cause_count)s)::int AS cause_n,
        LEAST(floor(power(%(feature_count)s + 1, random())), %(feature_count)s)::int
            AS feature_n,
        random() AS r_feature, random() AS r_regression
    FROM tickets_ticket t
    WHERE t.id >= %(first)s AND t.team_id = ANY(%(team_ids)s::bigint[])
) AS x
WHERE x.r_classified < CASE WHEN x.status IN ('resolved', 'closed') THEN 0.78 ELSE 0.2 END
"""
REOPENS_SQL = """
INSERT INTO tickets_ticketevent (kind, changes, data, created_at, actor_id, ticket_id)
SELECT 'reopened', '{"status": ["resolved", "open"]}'::jsonb, '{}'::jsonb,
    t.created_at + (t.resolved_at - t.created_at) / 2, t.requester_id, t.id
FROM tickets_ticket t
WHERE t.id >= %(first)s AND t.team_id = ANY(%(team_ids)s::bigint[])
    AND t.status IN ('resolved', 'closed') AND random() < 0.02
"""
# SLA since half a year: stopped clocks only (met or breached and recorded), so the SLA sweep
# and its benchmark never see them.
CLOCKS_SQL = """
INSERT INTO sla_clock (ticket_id, policy_id, metric, cycle, state, target_seconds, started_at,
    elapsed_seconds, due_at, breached_at, met_at, late_seconds, steps_done)
SELECT x.id, %(policy)s, x.metric, 1,
    CASE WHEN x.took <= x.target THEN 'met' ELSE 'breached' END, x.target, x.created_at,
    x.took, x.created_at + x.target * interval '1 second',
    CASE WHEN x.took > x.target THEN x.created_at + x.target * interval '1 second' END,
    x.stopped_at, CASE WHEN x.took > x.target THEN x.took - x.target END, 0
FROM (
    SELECT t.id, t.created_at, m.metric, m.stopped_at,
        EXTRACT(EPOCH FROM m.stopped_at - t.created_at) AS took,
        CASE m.metric WHEN 'first_response' THEN (ARRAY[28800, 14400, 3600, 1800])[t.priority]
            ELSE (ARRAY[432000, 259200, 86400, 28800])[t.priority] END AS target
    FROM tickets_ticket t,
        LATERAL (VALUES ('first_response', t.first_response_at),
            ('resolution', CASE WHEN t.status IN ('resolved', 'closed') THEN t.resolved_at END)
        ) AS m (metric, stopped_at)
    WHERE t.id >= %(first)s AND t.team_id = ANY(%(team_ids)s::bigint[])
        AND t.created_at >= %(now)s - interval '26 weeks' AND m.stopped_at IS NOT NULL
) AS x
"""
DEFLECTIONS_SQL = """
INSERT INTO knowledge_deflection (article_id, kind, query, user_id, session_key, created_at,
    cancelled_at)
SELECT (%(articles)s::bigint[])[1 + floor(%(article_count)s * power(random(), 1.4))::int],
    CASE WHEN random() < 0.4 THEN 'solved' ELSE 'viewed' END, 'how do I fix it', NULL,
    %(mark)s || '-' || n,
    %(now)s - (1 - power(random(), 0.7)) * %(weeks)s * interval '1 week',
    CASE WHEN random() < 0.08 THEN %(now)s END
FROM generate_series(%(first)s, %(last)s) AS n
"""


SEEDED_TABLES = (
    "tickets_ticket",
    "tickets_tiertime",
    "tickets_escalation",
    "tickets_handback",
    "routing_ticketclassification",
    "tickets_ticketevent",
    "sla_clock",
)


def _insert_tickets(desk: dict, count: int) -> int:
    """Add ``count`` tickets and the rows the other apps keep about them; the first new id."""
    template = desk["template"]
    now = timezone.now()
    columns = [f.column for f in Ticket._meta.concrete_fields if not f.primary_key]
    values = [TICKET_VALUES.get(c, f'tpl."{c}"') for c in columns]
    teams = [desk["teams"][slug].pk for slug, _name, _share in TEAMS]
    params = {
        "now": now,
        "count": count,
        "template": template.pk,
        "weeks": YEARS_WEEKS,
        "teams_at": _thresholds([share for _slug, _name, share in TEAMS]),
        "team_ids": teams,
        "agents": desk["agents"],
        "requester_ids": desk["requesters"],
        "requesters": len(desk["requesters"]),
        "category_ids": [c.pk for c in desk["categories"]],
        "category_names": [c.name for c in desk["categories"]],
        "categories": len(desk["categories"]),
        "location_ids": [c.pk for c in desk["locations"]],
        "location_names": [c.name for c in desk["locations"]],
        "locations": len(desk["locations"]),
        "product_ids": [c.pk for c in desk["products"]],
        "products": len(desk["products"]),
        "resolutions": RESOLUTIONS,
        "resolutions_at": _thresholds([18, 10, 20, 25, 7, 20]),
        "causes": desk["root_causes"],
        "cause_count": len(desk["root_causes"]),
        "features": FEATURES,
        "feature_count": len(FEATURES),
        "policy": desk["policy"].pk,
    }
    tickets_sql = TICKETS_SQL.format(
        columns=", ".join(f'"{c}"' for c in columns),
        values=", ".join(values),
        agents=AGENTS_PER_TEAM,
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM tickets_ticket")
        params["first"] = cursor.fetchone()[0]
        steps = [
            ("tickets", tickets_sql),
            ("time per tier", TIER_TIME_SQL),
            ("escalations", ESCALATIONS_SQL),
            ("hand-backs", HAND_BACKS_SQL),
            ("classifications", CLASSIFICATION_SQL),
            ("reopen events", REOPENS_SQL),
            ("SLA clocks", CLOCKS_SQL),
        ]
        for name, sql in steps:
            started = time.perf_counter()
            cursor.execute(sql, params)
            print(
                f"   {name}: {cursor.rowcount:,} rows in {time.perf_counter() - started:.0f} s",
                flush=True,
            )
    with connection.cursor() as cursor:
        # Statistics of the new rows before the facts are computed from them: a plan made for
        # empty tables reads every row of them for each batch.
        for table in SEEDED_TABLES:
            cursor.execute(f"ANALYZE {table}")
    return params["first"]


def _ids(desk: dict, first: int = 0) -> list[int]:
    return list(
        Ticket.objects.filter(pk__gte=first, team__in=desk["teams"].values())
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _write_facts(desk: dict, first: int) -> int:
    """The facts of the new tickets, as facts_rebuild writes them: 2,000 ids per statement."""
    ids, written = _ids(desk, first), 0
    for start in range(0, len(ids), FACT_BATCH):
        written += facts_refresh(ids[start : start + FACT_BATCH])
        if start and start % 100_000 == 0:
            print(f"   … {written:,} facts", flush=True)
    return written


def _seed_deflections(desk: dict) -> None:
    wanted = max(TICKETS // 200, 100)
    have = Deflection.objects.filter(session_key__startswith=f"{MARK}-").count()
    if have >= wanted:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            DEFLECTIONS_SQL,
            {
                "articles": desk["articles"],
                "article_count": len(desk["articles"]),
                "mark": MARK,
                "now": timezone.now(),
                "weeks": YEARS_WEEKS,
                "first": have + 1,
                "last": wanted,
            },
        )


# --- measuring ----------------------------------------------------------------------------


def _get(client: Client, url: str):
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}, cannot measure it.")
    return response


def _page(client: Client, url: str, name: str, *, queries: bool = False) -> dict[str, float]:
    """p50 and p95 of ``url`` (ms) after warming up; with ``queries``, the SQL of one request."""
    for _ in range(WARM_UPS):
        _get(client, url)
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        _get(client, url)
        timings.append((time.perf_counter() - started) * 1000)
    figures = {f"{name}_p50_ms_1m": statistics.median(timings), f"{name}_p95_ms_1m": p95(timings)}
    if queries:
        with CaptureQueriesContext(connection) as captured:
            _get(client, url)
        figures[f"{name}_queries"] = float(len(captured))
    return figures


def _export_figures(client: Client, team: int) -> dict[str, float]:
    """Rows per second of the streamed CSV of last quarter's tickets of one team (median run)."""
    url = f"/insights/tickets.csv?period=last_quarter&team={team}"
    rates, rows = [], 0
    for _ in range(EXPORT_RUNS):
        started = time.perf_counter()
        response = _get(client, url)
        if not response.streaming:
            raise RuntimeError(f"GET {url} is not streamed.")
        rows = sum(1 for _line in response.streaming_content) - 1  # a line a chunk, less the header
        rates.append(rows / (time.perf_counter() - started))
    print(f"   export: {rows:,} rows a run", flush=True)
    return {"insights_export_rows_per_s": statistics.median(rates)}


def _rebuild_per_s(desk: dict) -> float:
    """Facts written per second by facts_rebuild's statement (2,000 ids each), over the last
    20,000 tickets of the desk (rewriting facts already there, as a rebuild does)."""
    ids = _ids(desk)[-REBUILD_SLICE:]
    started = time.perf_counter()
    written = sum(
        facts_refresh(ids[start : start + FACT_BATCH]) for start in range(0, len(ids), FACT_BATCH)
    )
    per_s = written / (time.perf_counter() - started)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE insights_ticketfact")
    return per_s


def _explain(client: Client, url: str, slowest: int = 3) -> None:
    """With BENCH_EXPLAIN set: the plans of the page's slowest queries, to see where time goes."""
    with CaptureQueriesContext(connection) as captured:
        _get(client, url)
    queries = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:slowest]
    with connection.cursor() as cursor:
        for query in queries:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query['sql']}")
            print(f"\n   {float(query['time']) * 1000:.0f} ms: {query['sql'][:300]}")
            print("\n".join(f"   {line}" for (line,) in cursor.fetchall()), flush=True)
