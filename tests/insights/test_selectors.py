"""The leads' figures agree with the same figures worked out here, in plain Python, from the
test's own description of every ticket: each KPI and its previous period, series, breakdowns,
Pareto, the escalation flow, the tickets behind a figure — for an admin and for one team, whose
readers never count another team's tickets — in few queries, and without a division by zero
over an empty period."""

import random
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise

import pytest
import time_machine
from django.db import connection

from apps.core.errors import ApplicationError
from apps.insights import selectors
from apps.insights.kpis import Kpi
from apps.insights.models import TicketFact, VolumeGoal
from apps.insights.pareto import DIMENSIONS
from apps.insights.scope import Scope, scope_from_params
from apps.insights.services import volume_goal_set
from apps.knowledge.models import Article, Audience, Deflection, DeflectionKind
from apps.routing.models import RootCause
from apps.sla.models import Calendar, Clock, ClockState, Metric, Policy
from apps.sla.selectors import compliance
from apps.tickets.models import HandBack, Resolution, Status, Ticket
from apps.tickets.services import comment_add, ticket_create, ticket_update
from tests.factories import CategoryFactory, TicketFactory, agent_of

pytestmark = pytest.mark.django_db

START, END = date(2026, 3, 2), date(2026, 3, 29)  # four weeks, Monday to Sunday
PREV_START, PREV_END = date(2026, 2, 2), date(2026, 3, 1)
ON_POSTGRESQL = connection.vendor == "postgresql"


def at(day: date, hours: float = 0) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC) + timedelta(hours=hours)


@dataclass
class Spec:
    """One ticket as the test means it: the truth the figures are checked against."""

    team: str
    created: datetime
    resolved: datetime | None = None
    priority: int = 2
    category: str | None = None
    root_cause: str | None = None
    feature: str = ""
    resolution: str = ""
    channel: str = "web"
    first_response: float | None = None
    tiers: tuple[float, float, float] = (0.0, 0.0, 0.0)
    max_tier: int = 1
    escalations: int = 0
    hand_backs: int = 0
    reopens: int = 0
    regression: bool = False
    performance: bool = False
    sla_fr: str = ""
    sla_res: str = ""
    satisfied: bool | None = None  # the requester's rating: good, bad, or none
    priority_changed: bool = False  # by a person of support, after intake
    hours_spent: float = 0.0  # time logged
    cost: float = 0.0
    ticket: Ticket | None = field(default=None, repr=False)

    @property
    def resolution_seconds(self) -> float | None:
        return (self.resolved - self.created).total_seconds() if self.resolved else None


# Spelled out, not Resolution.values: a new way to resolve must not reshuffle the whole desk.
RESOLUTIONS = ["", "information", "documentation", "workaround", "change", "duplicate", "no_action"]


def random_specs(seed: int = 7, n: int = 90) -> list[Spec]:
    rnd = random.Random(seed)
    window = (END - PREV_START).days + 8
    specs = []
    for _ in range(n):
        created = at(PREV_START - timedelta(days=3), rnd.uniform(0, window * 24))
        max_tier = rnd.choice((1, 1, 1, 2, 2, 3))
        tiers = tuple(
            round(rnd.uniform(60, 30_000), 1) if tier <= max_tier and rnd.random() > 0.1 else 0.0
            for tier in (1, 2, 3)
        )
        escalations = max_tier - 1 + (rnd.random() < 0.2)
        specs.append(
            Spec(
                team=rnd.choice(("desk", "desk", "net")),
                created=created,
                resolved=created + timedelta(hours=rnd.uniform(0.5, 500))
                if rnd.random() < 0.75
                else None,
                priority=rnd.choice((1, 2, 2, 3, 4)),
                category=rnd.choice(("Cannot sign in", "Card declined", None)),
                root_cause=rnd.choice(("Expired certificate", "Bad master data", None)),
                feature=rnd.choice(("Checkout", "Login", "")),
                resolution=rnd.choice(RESOLUTIONS),
                channel=rnd.choice(("web", "email", "api")),
                first_response=round(rnd.uniform(30, 90_000), 1) if rnd.random() < 0.8 else None,
                tiers=tiers,
                max_tier=max_tier,
                escalations=escalations,
                hand_backs=rnd.randint(0, escalations),
                reopens=rnd.choice((0, 0, 0, 1, 2)),
                regression=rnd.random() < 0.2,
                performance=rnd.random() < 0.15,
                sla_fr=rnd.choice(("met", "met", "breached", "")),
                sla_res=rnd.choice(("met", "breached", "")),
            )
        )
    # Ratings from a generator of their own, so the rest of the desk stays as it was.
    ratings = random.Random(seed + 1)
    for spec in specs:
        spec.satisfied = ratings.choice((True, True, True, False, None, None))
    # Priority changes, time and cost too, so the rest stays as it was.
    work = random.Random(seed + 2)
    for spec in specs:
        spec.priority_changed = work.random() < 0.25
        if work.random() < 0.6:
            spec.hours_spent = round(work.uniform(0.1, 6), 2)
            spec.cost = round(spec.hours_spent * work.choice((45.0, 60.0, 80.0)), 2)
    return specs


@dataclass
class Desk:
    teams: dict
    specs: list[Spec]
    hand_backs: list[tuple[Spec, str, datetime, bool]]  # ticket, to team, when, to requester
    deflections: list[tuple[str | None, datetime, bool]]  # article's team, when, cancelled
    lookups: dict


@pytest.fixture
def desk(team, other_team, requester):
    """Ninety tickets of two teams over both periods (and a little outside), their facts
    written straight to the table, hand-backs and deflections."""
    teams = {"desk": team, "net": other_team}
    lookups = {
        "category": {
            name: CategoryFactory(name=name) for name in ("Cannot sign in", "Card declined")
        },
        "root_cause": {
            name: RootCause.objects.create(name=name)
            for name in ("Expired certificate", "Bad master data")
        },
    }
    specs = random_specs()
    for spec in specs:
        category = lookups["category"].get(spec.category)
        root_cause = lookups["root_cause"].get(spec.root_cause)
        spec.ticket = TicketFactory(
            team=teams[spec.team],
            requester=requester,
            category=category,
            priority=spec.priority,
            created_at=spec.created,
            resolved_at=spec.resolved,
            status=Status.RESOLVED if spec.resolved else Status.OPEN,
        )
        TicketFact.objects.create(
            ticket=spec.ticket,
            team=teams[spec.team],
            tier=spec.max_tier,
            category_id=category.pk if category else None,
            root_cause_id=root_cause.pk if root_cause else None,
            priority=spec.priority,
            channel=spec.channel,
            feature=spec.feature,
            created_at=spec.created,
            resolved_at=spec.resolved,
            first_response_seconds=spec.first_response,
            resolution_seconds=spec.resolution_seconds,
            tier1_seconds=spec.tiers[0],
            tier2_seconds=spec.tiers[1],
            tier3_seconds=spec.tiers[2],
            max_tier=spec.max_tier,
            escalations=spec.escalations,
            hand_backs=spec.hand_backs,
            reopens=spec.reopens,
            resolution=spec.resolution if spec.resolved else "",
            is_regression=spec.regression,
            is_performance=spec.performance,
            sla_first_response=spec.sla_fr,
            sla_resolution=spec.sla_res if spec.resolved else "",
            satisfied=spec.satisfied,
            priority_changed=spec.priority_changed,
            hours_spent=spec.hours_spent,
            cost=spec.cost,
        )
        if not spec.resolved:
            spec.resolution = spec.sla_res = ""
    rnd = random.Random(11)
    hand_backs = []
    for spec in rnd.sample(specs, 30):
        to_team = spec.team if rnd.random() < 0.8 else ("net" if spec.team == "desk" else "desk")
        when = spec.created + timedelta(hours=rnd.uniform(1, 200))
        to_requester = rnd.random() < 0.2
        HandBack.objects.create(
            ticket=spec.ticket,
            from_tier=2,
            to_team=teams[to_team],
            to_tier=1,
            to_requester=to_requester,
            missing=["Till number"],
            created_at=when,
        )
        hand_backs.append((spec, to_team, when, to_requester))
    articles = {
        key: Article.objects.create(
            title=f"Article {key}",
            slug=f"article-{key}",
            team=teams.get(key),
            audience=Audience.TEAM if key in teams else Audience.PUBLIC,
        )
        for key in ("desk", "net", None)
    }
    deflections = []
    for n in range(24):
        key = (None, "desk", "net")[n % 3]
        when = at(PREV_START, rnd.uniform(0, 60 * 24))
        cancelled = n % 7 == 0
        Deflection.objects.create(
            article=articles[key],
            kind=DeflectionKind.SOLVED if n % 2 else DeflectionKind.VIEWED,
            session_key=f"session-{n}",
            created_at=when,
            cancelled_at=when + timedelta(minutes=5) if cancelled else None,
        )
        deflections.append((key, when, cancelled))
    return Desk(teams, specs, hand_backs, deflections, lookups)


def scope_of(desk: Desk, *teams: str, start=START, end=END, **filters) -> Scope:
    ids = tuple(desk.teams[t].pk for t in teams) if teams else None
    return Scope(start=start, end=end, team_ids=ids, **filters)


# --- The figures, worked out here -------------------------------------------------------------


def within(moment: datetime | None, start: date, end: date) -> bool:
    return moment is not None and start <= moment.date() <= end


def median(values):
    return statistics.median(values) if values else None


def p90(values):
    if len(values) < 2:
        return values[0] if values else None
    return statistics.quantiles(values, n=10, method="inclusive")[8]


def mean(values):
    return statistics.fmean(values) if values else None


def share(part, whole):
    return 100 * len(part) / len(whole) if whole else None


def expected(desk: Desk, teams, start: date, end: date, priority=None) -> dict:
    """Every KPI over [start, end] for ``teams`` (None: all), from the specs alone."""
    mine = [
        s
        for s in desk.specs
        if (teams is None or s.team in teams) and (priority is None or s.priority == priority)
    ]
    created = [s for s in mine if within(s.created, start, end)]
    resolved = [s for s in mine if within(s.resolved, start, end)]
    tier_times = {
        n: mean([s.tiers[n - 1] for s in resolved if s.tiers[n - 1] > 0]) for n in (1, 2, 3)
    }
    escalations = sum(s.escalations for s in resolved)
    fr_decided = [s for s in created if s.sla_fr in ("met", "breached")]
    res_decided = [s for s in resolved if s.sla_res in ("met", "breached")]
    rated = [s for s in resolved if s.satisfied is not None]
    return {
        "volume": len(created),
        "high_volume": len([s for s in created if s.priority >= 3]),
        "resolved": len(resolved),
        "resolution_median": median(sorted(s.resolution_seconds for s in resolved)),
        "resolution_p90": p90(sorted(s.resolution_seconds for s in resolved)),
        "first_response_median": median(
            sorted(s.first_response for s in created if s.first_response is not None)
        ),
        "first_response_p90": p90(
            sorted(s.first_response for s in created if s.first_response is not None)
        ),
        "tier1_time": tier_times[1],
        "tier2_time": tier_times[2],
        "tier3_time": tier_times[3],
        "escalation_rate": share([s for s in resolved if s.escalations], resolved),
        "bounce_rate": 100 * sum(s.hand_backs for s in resolved) / escalations
        if escalations
        else None,
        "hand_backs": len(
            [
                1
                for spec, to_team, when, to_requester in desk.hand_backs
                if not to_requester
                and (teams is None or to_team in teams)
                and (priority is None or spec.priority == priority)
                and within(when, start, end)
            ]
        ),
        "closed_by_documentation": len([s for s in resolved if s.resolution == "documentation"]),
        "closed_by_information": len(
            [s for s in resolved if s.resolution in ("documentation", "information")]
        ),
        "documentation_share": share(
            [s for s in resolved if s.resolution == "documentation"], resolved
        ),
        "priority_changed": share([s for s in created if s.priority_changed], created),
        "time_logged": sum(s.hours_spent for s in created),
        "time_per_ticket": mean([s.hours_spent for s in created if s.hours_spent > 0]),
        "cost": sum(s.cost for s in created),
        "regressions": len([s for s in created if s.regression]),
        "performance": len([s for s in created if s.performance]),
        "reopen_rate": share([s for s in resolved if s.reopens], resolved),
        "sla_first_response": share([s for s in fr_decided if s.sla_fr == "met"], fr_decided),
        "sla_resolution": share([s for s in res_decided if s.sla_res == "met"], res_decided),
        "csat": share([s for s in rated if s.satisfied], rated),
        "ratings": len(rated),
        "deflections": len(
            [
                1
                for key, when, cancelled in desk.deflections
                if not cancelled
                and (teams is None or key is None or key in teams)
                and within(when, start, end)
            ]
        ),
    }


def assert_same(got, want, what=""):
    if want is None or got is None:
        assert got is want, what
    else:
        assert got == pytest.approx(want, rel=1e-9), what


# --- KPIs ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("teams", [None, ("desk",), ("net",), ("desk", "net")])
def test_every_kpi_and_its_previous_period_match_the_raw_rows(desk, teams):
    scope = scope_of(desk, *(teams or ()))
    figures = selectors.kpis(scope)
    now, before = expected(desk, teams, START, END), expected(desk, teams, PREV_START, PREV_END)
    assert [k.name for k in figures] == list(now)
    for kpi in figures:
        assert_same(kpi.value, now[kpi.name], kpi.name)
        assert_same(kpi.previous, before[kpi.name], f"previous {kpi.name}")
        assert kpi.unit in ("seconds", "percent", "count", "hours", "money")
        assert kpi.better in ("lower", "higher", "")
        assert kpi.label
        assert kpi.help
    if teams in (None, ("desk",)):
        # The data exercise every figure: nothing above passed by being None on both sides.
        assert [name for name in now if now[name] in (None, 0)] == [], now


def test_a_dimension_filter_narrows_every_figure(desk):
    figures = {k.name: k.value for k in selectors.kpis(scope_of(desk, priority=4))}
    want = expected(desk, None, START, END, priority=4)
    for name, value in want.items():
        if name != "deflections":  # not tickets: filtered by team and category only
            assert_same(figures[name], value, name)


def test_kpis_cost_four_queries_for_both_periods(desk, django_assert_num_queries):
    # One per basis (created, resolved, hand-backs, deflections), both periods grouped in it;
    # off PostgreSQL each percentile column adds the read of that one column.
    with django_assert_num_queries(4 if ON_POSTGRESQL else 6):
        selectors.kpis(scope_of(desk, "desk"))


def test_an_empty_period_has_zero_counts_and_no_rates(desk):
    empty = Scope(start=date(2020, 1, 6), end=date(2020, 2, 2))
    for kpi in selectors.kpis(empty):
        if selectors.measure(kpi.name).kind in ("count", "sum"):  # nothing counted or summed
            assert kpi.value == 0
            assert kpi.previous == 0
        else:
            assert kpi.value is None, kpi.name
            assert kpi.previous is None, kpi.name
        assert kpi.change is None
        assert kpi.improved is None
    assert all(v == 0 for _, v in selectors.series(empty, "volume"))
    assert all(v is None for _, v in selectors.series(empty, "resolution_median"))
    assert selectors.breakdown(empty, "escalation_rate", "team") == []
    assert selectors.pareto(empty, weight="time") == []
    flow = selectors.escalation_flow(empty)
    assert flow["resolved"] == 0
    assert flow["escalations"] == 0
    assert flow["bounce_rate"] is None
    assert flow["time_at_tier"] == {1: None, 2: None, 3: None}
    assert selectors.drilldown(empty, kpi="resolution_median").count() == 0


def test_change_and_improvement_follow_the_better_direction():
    def kpi(value, previous, better):
        return Kpi("x", "X", value, previous, "count", better, "")

    assert kpi(15, 10, "lower").change == pytest.approx(0.5)
    assert kpi(15, 10, "lower").improved is False
    assert kpi(5, 10, "lower").improved is True
    assert kpi(15, 10, "higher").improved is True
    assert kpi(15, 10, "").improved is None
    assert kpi(10, 10, "higher").improved is None
    assert kpi(3, 0, "higher").change is None  # no base to compare with
    assert kpi(3, None, "higher").change is None
    assert kpi(None, 4, "higher").change is None


def test_percentile_is_percentile_cont_over_the_rows(desk):
    rows = TicketFact.objects.filter(team=desk.teams["desk"])
    values = sorted(
        s.first_response for s in desk.specs if s.team == "desk" and s.first_response is not None
    )
    assert selectors.percentile(rows, "first_response_seconds", 0.5) == pytest.approx(
        statistics.median(values)
    )
    assert selectors.percentile(rows, "first_response_seconds", 0.9) == pytest.approx(p90(values))
    assert selectors.percentile(rows.none(), "first_response_seconds", 0.5) is None


def test_sla_figures_say_what_the_compliance_report_says(team, requester):
    """Clocks as the SLA app keeps them, facts rebuilt from them: the KPI is the report's
    share on time (met ÷ met or missed, a running clock past due counting as missed)."""
    from apps.insights.facts import facts_rebuild

    now = at(END, 12)
    calendar = Calendar.objects.create(name="24x7", time_zone="UTC")
    policy = Policy.objects.create(name="Standard", calendar=calendar)
    overdue, not_due = now - timedelta(hours=1), now + timedelta(hours=1)
    # (first response, resolution): state and due time of each ticket's clocks.
    clocks = [
        ((ClockState.MET, None), (ClockState.MET, None)),
        ((ClockState.MET, None), (ClockState.BREACHED, None)),
        ((ClockState.MET, None), (ClockState.MET, None)),
        ((ClockState.BREACHED, None), (ClockState.RUNNING, overdue)),  # missed
        ((ClockState.RUNNING, overdue), (ClockState.MET, None)),  # missed
        ((ClockState.RUNNING, not_due), (ClockState.PAUSED, None)),  # not decided yet
        ((ClockState.PAUSED, None), (ClockState.RUNNING, not_due)),  # not decided yet
    ]
    for n, pair in enumerate(clocks):
        created = at(START, 24 * n + 3)
        ticket = TicketFactory(
            team=team,
            requester=requester,
            created_at=created,
            status=Status.RESOLVED,
            resolved_at=created + timedelta(hours=5),
        )
        for metric, (state, due) in zip(
            (Metric.FIRST_RESPONSE, Metric.RESOLUTION), pair, strict=True
        ):
            Clock.objects.create(
                ticket=ticket,
                policy=policy,
                metric=metric,
                state=state,
                target_seconds=3600,
                started_at=created,
                due_at=due or created + timedelta(hours=1),
            )
    with time_machine.travel(now, tick=False):
        facts_rebuild()
        report = {
            row["metric"]: row["percent"]
            for row in compliance(user=None, by="metric", weeks=8, now=now)
        }
        figures = {k.name: k.value for k in selectors.kpis(Scope(start=START, end=END))}
    assert report[Metric.FIRST_RESPONSE] == 60.0  # 3 met of 5 decided
    assert report[Metric.RESOLUTION] == 60.0
    assert round(figures["sla_first_response"], 1) == report[Metric.FIRST_RESPONSE]
    assert round(figures["sla_resolution"], 1) == report[Metric.RESOLUTION]


def test_figures_of_tickets_worked_through_the_services(team, agent, requester):
    """Tickets opened, answered and resolved the way people do it; the facts rebuilt."""
    from apps.insights.facts import facts_rebuild

    opened = at(START + timedelta(days=2), 9)
    tickets = []
    for n, priority in enumerate((2, 3, 4)):
        with time_machine.travel(opened + timedelta(minutes=n), tick=False):
            ticket = ticket_create(
                requester=requester, subject=f"Till {n} is blank", description="Since Monday."
            )
            ticket_update(ticket=ticket, actor=None, data={"team": team, "priority": priority})
            tickets.append(ticket)
    with time_machine.travel(opened + timedelta(hours=2), tick=False):
        comment_add(ticket=tickets[0], author=agent, body="Please restart the till.")
    with time_machine.travel(opened + timedelta(hours=5), tick=False):
        ticket_update(
            ticket=tickets[0],
            actor=agent,
            data={"status": Status.RESOLVED, "resolution": Resolution.DOCUMENTATION},
        )
    facts_rebuild()
    scope = Scope(start=START, end=END, team_ids=(team.pk,))
    figures = {k.name: k.value for k in selectors.kpis(scope)}
    assert figures["volume"] == 3
    assert figures["high_volume"] == 2
    assert figures["resolved"] == 1
    assert figures["resolution_median"] == pytest.approx(5 * 3600, abs=1)
    assert figures["first_response_median"] == pytest.approx(2 * 3600, abs=1)
    assert figures["closed_by_documentation"] == 1
    assert figures["documentation_share"] == 100
    assert figures["escalation_rate"] == 0
    assert set(selectors.drilldown(scope, kpi="high_volume")) == {tickets[1], tickets[2]}


# --- Series and weekly volume -------------------------------------------------------------------


def next_bucket(day: date, granularity: str) -> date:
    if granularity == "week":
        return day + timedelta(days=7)
    month = day.month - 1 + (1 if granularity == "month" else 3)
    return date(day.year + month // 12, month % 12 + 1, 1)


def bucket(day: date, granularity: str) -> date:
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    return day.replace(day=1, month=(day.month - 1) // 3 * 3 + 1)


@pytest.mark.parametrize(
    ("name", "granularity"),
    [
        ("volume", "week"),
        ("high_volume", "month"),
        ("resolved", "week"),
        ("resolution_median", "week"),
        ("first_response_median", "month"),
        ("escalation_rate", "week"),
        ("reopen_rate", "quarter"),
        ("sla_first_response", "week"),
        ("sla_resolution", "month"),
        ("documentation_share", "week"),
        ("hand_backs", "week"),
        ("deflections", "week"),
    ],
)
def test_a_series_is_the_kpi_of_each_bucket(desk, name, granularity, django_assert_max_num_queries):
    # Five weeks after the last ticket was created: empty buckets are in the series too.
    start, end = PREV_START + timedelta(days=3), END + timedelta(days=35)
    scope = Scope(start=start, end=end, team_ids=(desk.teams["desk"].pk,))
    queries = 1 if ON_POSTGRESQL or "median" not in name else 2
    with django_assert_max_num_queries(queries):
        points = selectors.series(scope, name, granularity)
    days = [day for day, _ in points]
    assert days[0] == bucket(start, granularity) <= start
    assert days == sorted(set(days))
    assert days[-1] <= end < next_bucket(days[-1], granularity)
    assert all(day == bucket(day, granularity) for day in days)
    assert all(next_bucket(a, granularity) == b for a, b in pairwise(days))
    if granularity == "week":
        assert all(day.weekday() == 0 for day in days)
    for day, value in points:
        # The bucket, cut to the period (the first and last buckets are partial).
        first = max(day, start)
        last = min(end, next_bucket(day, granularity) - timedelta(days=1))
        assert_same(value, expected(desk, ("desk",), first, last)[name], f"{name} {day}")
    if granularity != "quarter":  # the last weeks and month are empty
        assert points[-1][1] == (0 if MEASURE_UNITS[name] == "count" else None)


MEASURE_UNITS = {name: m.unit for name, m in selectors.MEASURES.items()}


def test_weeks_follow_the_desk_time_zone(team, requester, settings):
    """Sunday 23:30 UTC is Monday in Berlin: that ticket is of Berlin's next week."""
    settings.TIME_ZONE = "Europe/Berlin"
    sunday_night = datetime(2026, 3, 8, 23, 30, tzinfo=UTC)
    ticket = TicketFactory(team=team, requester=requester, created_at=sunday_night)
    TicketFact.objects.create(ticket=ticket, team=team, created_at=sunday_night)
    scope = Scope(start=START, end=date(2026, 3, 15))
    assert selectors.series(scope, "volume") == [(date(2026, 3, 2), 0), (date(2026, 3, 9), 1)]
    assert selectors.drilldown(scope, week=date(2026, 3, 9)).get() == ticket


def test_weekly_volume_and_the_team_goal(desk, lead, admin_user, django_assert_num_queries):
    team = desk.teams["desk"]
    volume_goal_set(team=team, tickets_per_week=5, high_only=False, actor=lead)
    volume_goal_set(team=team, tickets_per_week=2, high_only=True, actor=admin_user)
    scope = scope_of(desk, "desk")
    with django_assert_num_queries(2):
        weeks, goal = selectors.weekly_volume(scope)
    assert goal == 5
    assert [day for day, _ in weeks] == [START + timedelta(weeks=n) for n in range(4)]
    for day, count in weeks:
        want = expected(desk, ("desk",), day, day + timedelta(days=6))["volume"]
        assert count == want
        assert isinstance(count, int)
    high, high_goal = selectors.weekly_volume(scope, high_only=True)
    assert high_goal == 2
    assert sum(n for _, n in high) == expected(desk, ("desk",), START, END)["high_volume"]
    # Several teams, or every team: no one goal to draw.
    assert selectors.weekly_volume(scope_of(desk, "desk", "net"))[1] is None
    assert selectors.weekly_volume(scope_of(desk))[1] is None
    assert selectors.weekly_volume(scope_of(desk, "net"))[1] is None  # none set


def test_only_leads_of_the_team_and_admins_set_its_goal(desk, agent, lead, other_team, admin_user):
    team = desk.teams["desk"]
    other_lead = agent_of(other_team, lead=True)
    for refused in (agent, other_lead):
        with pytest.raises(ApplicationError) as error:
            volume_goal_set(team=team, tickets_per_week=50, high_only=False, actor=refused)
        assert error.value.code == "forbidden"
    assert (
        volume_goal_set(team=team, tickets_per_week=50, high_only=False, actor=lead).set_by == lead
    )
    volume_goal_set(team=team, tickets_per_week=40, high_only=False, actor=admin_user)
    assert VolumeGoal.objects.get(team=team).tickets_per_week == 40
    with pytest.raises(ApplicationError) as error:
        volume_goal_set(team=team, tickets_per_week=-3, high_only=False, actor=lead)
    assert error.value.field == "tickets_per_week"
    assert volume_goal_set(team=team, tickets_per_week=0, high_only=False, actor=lead) is None
    assert not VolumeGoal.objects.filter(team=team).exists()
    assert volume_goal_set(team=team, tickets_per_week=None, high_only=True, actor=lead) is None


# --- Breakdowns and Pareto ------------------------------------------------------------------------


def test_a_breakdown_gives_the_kpi_per_value_with_names(desk, django_assert_max_num_queries):
    scope = scope_of(desk)
    with django_assert_max_num_queries(2):
        rows = selectors.breakdown(scope, "volume", "team")
    assert [(r.label, r.value, r.count) for r in rows] == sorted(
        [
            (desk.teams[t].name, n, n)
            for t, n in Counter(s.team for s in desk.specs if within(s.created, START, END)).items()
        ],
        key=lambda row: (-row[1], row[0]),
    )
    assert {r.key for r in rows} == {t.pk for t in desk.teams.values()}
    assert sum(r.share for r in rows) == pytest.approx(100)

    rows = selectors.breakdown(scope, "resolution_median", "priority")
    resolved = [s for s in desk.specs if within(s.resolved, START, END)]
    labels = {1: "Low", 2: "Normal", 3: "High", 4: "Urgent"}
    for row in rows:
        mine = sorted(s.resolution_seconds for s in resolved if s.priority == row.key)
        assert row.label == labels[row.key]
        assert row.count == len(mine)
        assert row.value == pytest.approx(statistics.median(mine))
    assert [r.value for r in rows] == sorted((r.value for r in rows), reverse=True)


def test_a_breakdown_by_root_cause_names_the_unclassified(desk):
    rows = selectors.breakdown(scope_of(desk, "desk"), "escalation_rate", "root_cause")
    resolved = [s for s in desk.specs if s.team == "desk" and within(s.resolved, START, END)]
    by_label = {row.label: row for row in rows}
    assert set(by_label) == {"Expired certificate", "Bad master data", "(not classified yet)"}
    for cause in ("Expired certificate", "Bad master data", None):
        mine = [s for s in resolved if s.root_cause == cause]
        row = by_label[cause or "(not classified yet)"]
        assert row.count == len(mine)
        assert row.value == pytest.approx(share([s for s in mine if s.escalations], mine))
    assert by_label["(not classified yet)"].key == selectors.NONE
    # And the tickets behind a row are that row's tickets.
    for row in rows:
        tickets = selectors.drilldown(
            scope_of(desk, "desk"), kpi="resolved", by="root_cause", key=row.key
        )
        assert tickets.count() == row.count


@pytest.mark.parametrize(
    "by", ["tier", "category", "product", "location", "feature", "resolution", "channel"]
)
def test_a_breakdown_counts_every_ticket_once(desk, by):
    rows = selectors.breakdown(scope_of(desk, "desk"), "resolved", by)
    want = expected(desk, ("desk",), START, END)["resolved"]
    assert sum(row.count for row in rows) == want
    assert sum(row.value for row in rows) == want
    assert all(row.label for row in rows)
    for row in rows:
        drilled = selectors.drilldown(scope_of(desk, "desk"), kpi="resolved", by=by, key=row.key)
        assert drilled.count() == row.count


def test_hand_backs_are_cut_by_the_team_they_went_back_to(desk):
    rows = selectors.breakdown(scope_of(desk), "hand_backs", "team")
    counted = [
        (spec, to_team)
        for spec, to_team, when, to_requester in desk.hand_backs
        if not to_requester and within(when, START, END)
    ]
    want = Counter(to_team for _, to_team in counted)
    assert {row.label: row.value for row in rows} == {
        desk.teams[t].name: n for t, n in want.items()
    }
    tickets = defaultdict(set)
    for spec, to_team in counted:
        tickets[to_team].add(spec.ticket.pk)
    assert {row.label: row.count for row in rows} == {
        desk.teams[t].name: len(ids) for t, ids in tickets.items()
    }


@pytest.mark.parametrize(
    ("by", "weight"),
    [("root_cause", "count"), ("feature", "time"), ("category", "count"), ("product", "time")],
)
def test_pareto_is_biggest_first_with_the_unclassified_last(desk, by, weight):
    rows = selectors.pareto(scope_of(desk, "desk"), by=by, weight=weight)
    created = [s for s in desk.specs if s.team == "desk" and within(s.created, START, END)]
    attribute = {"root_cause": "root_cause", "feature": "feature", "category": "category"}
    values = defaultdict(float)
    for s in created:
        key = getattr(s, attribute[by]) if by in attribute else None
        values[key or None] += 1 if weight == "count" else sum(s.tiers)
    unclassified = values.pop(None, None)
    want = sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))
    if unclassified is not None:
        want.append((DIMENSIONS[by].empty, unclassified))
    assert [(r.label, r.value) for r in rows] == [(k, pytest.approx(v)) for k, v in want]
    total = sum(v for _, v in want)
    running = 0
    for row, (_, value) in zip(rows, want, strict=True):
        running += value
        assert row.share == pytest.approx(100 * value / total)
        assert row.cumulative == pytest.approx(100 * running / total)
    assert rows[-1].cumulative == 100
    if unclassified is not None:
        assert rows[-1].key == selectors.NONE
        if weight == "count":
            drilled = selectors.drilldown(scope_of(desk, "desk"), by=by, key=selectors.NONE)
            assert drilled.count() == rows[-1].value


def test_unknown_cuts_are_refused_naming_the_field(desk):
    scope = scope_of(desk)
    for call, field_name in (
        (lambda: selectors.breakdown(scope, "volume", "colour"), "by"),
        (lambda: selectors.breakdown(scope, "speed", "team"), "kpi"),
        (lambda: selectors.pareto(scope, by="team"), "by"),
        (lambda: selectors.pareto(scope, weight="money"), "weight"),
        (lambda: selectors.series(scope, "speed"), "kpi"),
        (lambda: selectors.series(scope, "volume", "day"), "granularity"),
    ):
        with pytest.raises(ApplicationError) as error:
            call()
        assert error.value.field == field_name


# --- The escalation flow --------------------------------------------------------------------------


def test_the_escalation_flow_matches_the_raw_rows(desk, django_assert_num_queries):
    with django_assert_num_queries(1):
        flow = selectors.escalation_flow(scope_of(desk, "desk"))
    resolved = [s for s in desk.specs if s.team == "desk" and within(s.resolved, START, END)]
    escalations = sum(s.escalations for s in resolved)
    assert flow["resolved"] == len(resolved)
    assert flow["stayed_tier1"] == len([s for s in resolved if s.max_tier == 1])
    assert flow["reached_tier2"] == len([s for s in resolved if s.max_tier >= 2])
    assert flow["reached_tier3"] == len([s for s in resolved if s.max_tier == 3])
    assert flow["escalations"] == escalations
    assert flow["hand_backs"] == sum(s.hand_backs for s in resolved)
    assert flow["bounce_rate"] == pytest.approx(100 * flow["hand_backs"] / escalations)
    for tier in (1, 2, 3):
        reached = [s.tiers[tier - 1] for s in resolved if s.max_tier >= tier]
        assert flow["time_at_tier"][tier] == pytest.approx(mean(reached))
    for step in flow["steps"]:
        up = [s for s in resolved if s.max_tier >= step["to_tier"]]
        assert step["tickets"] == len(up)
        assert step["before"] == pytest.approx(mean([s.tiers[step["from_tier"] - 1] for s in up]))
        assert step["after"] == pytest.approx(mean([s.tiers[step["to_tier"] - 1] for s in up]))
        assert step["slower"] == ("before" if step["before"] > step["after"] else "after")


# --- The tickets behind a figure ------------------------------------------------------------------


def test_the_tickets_behind_every_count_are_as_many_as_the_count(
    desk, django_assert_max_num_queries
):
    scope = scope_of(desk, "desk")
    for kpi in selectors.kpis(scope):
        if kpi.unit != "count" or kpi.name in ("hand_backs", "deflections"):
            continue
        tickets = selectors.drilldown(scope, kpi=kpi.name)
        assert tickets.count() == kpi.value, kpi.name
    with django_assert_max_num_queries(1):
        listed = list(selectors.drilldown(scope, kpi="regressions"))
        assert [t.team.name for t in listed]  # team, assignee, category, requester come along
        assert [t.requester.email for t in listed]
    assert [t.created_at for t in listed] == sorted((t.created_at for t in listed), reverse=True)


def test_the_tickets_behind_a_rate_or_a_median(desk):
    scope = scope_of(desk, "desk")
    resolved = [s for s in desk.specs if s.team == "desk" and within(s.resolved, START, END)]
    created = [s for s in desk.specs if s.team == "desk" and within(s.created, START, END)]

    def ids(tickets):
        return set(tickets.values_list("pk", flat=True))

    assert ids(selectors.drilldown(scope, kpi="escalation_rate")) == {
        s.ticket.pk for s in resolved if s.escalations
    }
    assert ids(selectors.drilldown(scope, kpi="resolution_median")) == {
        s.ticket.pk for s in resolved
    }
    assert ids(selectors.drilldown(scope, kpi="first_response_p90")) == {
        s.ticket.pk for s in created if s.first_response is not None
    }
    assert ids(selectors.drilldown(scope, kpi="sla_resolution")) == {
        s.ticket.pk for s in resolved if s.sla_res == "met"
    }
    assert ids(selectors.drilldown(scope, kpi="tier3_time")) == {
        s.ticket.pk for s in resolved if s.tiers[2] > 0
    }
    assert ids(selectors.drilldown(scope, kpi="hand_backs")) == {
        spec.ticket.pk
        for spec, to_team, when, to_requester in desk.hand_backs
        if not to_requester
        and to_team == "desk"
        and within(when, START, END)
        and spec.team == "desk"
    }
    assert ids(selectors.drilldown(scope)) == {s.ticket.pk for s in created}


def test_the_tickets_behind_a_week_are_that_weeks(desk):
    scope = scope_of(desk, "desk")
    for day, count in selectors.series(scope, "volume"):
        assert selectors.drilldown(scope, week=day).count() == count
        assert selectors.drilldown(scope, week=day.isoformat()).count() == count
    week = selectors.series(scope, "resolved")[1]
    assert selectors.drilldown(scope, kpi="resolved", week=week[0]).count() == week[1]
    assert selectors.drilldown(scope, week=date(2019, 1, 7)).count() == 0


def test_an_agents_scope_never_counts_another_teams_tickets(desk, agent):
    scope = scope_from_params({"start": START.isoformat(), "end": END.isoformat()}, user=agent)
    assert scope.team_ids == (desk.teams["desk"].pk,)
    figures = {k.name: k.value for k in selectors.kpis(scope)}
    want = expected(desk, ("desk",), START, END)
    for name in want:
        assert_same(figures[name], want[name], name)
    net = {s.ticket.pk for s in desk.specs if s.team == "net"}
    for kpi in ("volume", "resolved", "hand_backs", "escalation_rate"):
        listed = set(selectors.drilldown(scope, kpi=kpi).values_list("pk", flat=True))
        assert listed
        assert not listed & net
    assert {row.key for row in selectors.breakdown(scope, "volume", "team")} == {
        desk.teams["desk"].pk
    }
    # A ticket since moved to another team is counted where it was, not listed to this team.
    moved = next(s for s in desk.specs if s.team == "desk" and within(s.created, START, END))
    Ticket.objects.filter(pk=moved.ticket.pk).update(team=desk.teams["net"])
    assert moved.ticket not in selectors.drilldown(scope)


def test_unknown_drilldowns_are_refused_naming_the_field(desk):
    scope = scope_of(desk)
    for cell, field_name in (
        ({"kpi": "speed"}, "kpi"),
        ({"kpi": "deflections"}, "kpi"),
        ({"by": "colour", "key": "1"}, "by"),
        ({"key": "1"}, "by"),
        ({"by": "team"}, "key"),
        ({"by": "team", "key": "Service Desk"}, "key"),
        ({"week": "last tuesday"}, "week"),
        ({"colour": "red"}, "colour"),
    ):
        with pytest.raises(ApplicationError) as error:
            selectors.drilldown(scope, **cell)
        assert error.value.field == field_name, cell
