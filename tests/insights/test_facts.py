"""A ticket's figures (TicketFact) follow its life through the services, each one equal to what
the raw rows say; a rebuild repairs what bypassed the services, and a change costs one query."""

import io
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext

from apps.insights.facts import facts_rebuild, facts_refresh
from apps.insights.models import TicketFact
from apps.insights.tasks import facts_refresh_stale_task
from apps.knowledge.models import LinkKind, TicketArticle
from apps.knowledge.services import article_link_send
from apps.reviews.satisfaction.models import Rating
from apps.routing.models import RootCause, TicketClassification
from apps.routing.services import classification_set
from apps.sla.calendars import calendar_forget
from apps.sla.models import Clock, ClockState
from apps.sla.selectors import compliance
from apps.tickets.models import (
    Category,
    ChecklistItem,
    Escalation,
    EscalationStep,
    Priority,
    Resolution,
    Status,
    Ticket,
    TierTime,
)
from apps.tickets.services import comment_add, ticket_create, ticket_update
from apps.tickets.tiers.services import ticket_escalate, ticket_hand_back, ticket_take
from tests.factories import TeamFactory, UserFactory, agent_of
from tests.knowledge.factories import ArticleFactory
from tests.sla.factories import ROUND_THE_CLOCK, calendar_with, policy_with

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday
HOUR = 3600
FR, RES = "first_response", "resolution"


def at(hours: float):
    return time_machine.travel(T0 + timedelta(hours=hours), tick=False)


def fact(ticket: Ticket) -> TicketFact:
    return TicketFact.objects.get(ticket_id=ticket.pk)


@pytest.fixture(autouse=True)
def _fresh_calendars():
    calendar_forget()
    yield
    calendar_forget()


@pytest.fixture
def desk(db, triage_team):
    return TeamFactory(name="Service Desk", slug="service-desk")


@pytest.fixture
def payments(db):
    return TeamFactory(name="Payments Engineering", slug="payments-engineering")


@pytest.fixture
def path(desk, payments):
    """Service Desk tier 2 escalates to Payments Engineering tier 3, which needs steps."""
    EscalationStep.objects.create(team=desk, from_tier=2, to_team=payments, to_tier=3)
    ChecklistItem.objects.create(team=payments, tier=3, key="steps", label="Steps", order=1)


@pytest.fixture
def tier1(desk):
    return agent_of(desk, tier=1, email="tariq@example.com", full_name="Tariq Haddad")


@pytest.fixture
def tier2(desk):
    return agent_of(desk, tier=2, email="sofia@example.com", full_name="Sofia Marin")


@pytest.fixture
def developer(payments):
    return agent_of(payments, tier=3, email="priya@example.com", full_name="Priya Raman")


@pytest.fixture
def customer(db):
    return UserFactory(email="rita@example.com", full_name="Rita Alvarez")


@pytest.fixture
def sla(db):
    """Round the clock, so business time is wall time: first response in 2 h, resolution in
    4 h (normal priority)."""
    calendar = calendar_with("24x7", ROUND_THE_CLOCK, time_zone="UTC")
    return policy_with(
        "Standard", calendar, {(FR, Priority.NORMAL): 120, (RES, Priority.NORMAL): 240}
    )


@pytest.fixture
def open_ticket(customer, desk, lookups):
    def make(subject="Card payment declined at till 3", **fields):
        ticket = ticket_create(
            requester=customer,
            subject=subject,
            description="Declined since the update.",
            **{**lookups, **fields},
        )
        ticket_update(ticket=ticket, actor=None, data={"team": desk}, source="test placement")
        return ticket

    return make


def assert_fact_matches_the_rows(ticket: Ticket) -> TicketFact:
    """Every figure of the fact, computed again here from the rows the apps keep."""
    ticket = Ticket.objects.get(pk=ticket.pk)
    row = fact(ticket)
    done = ticket.status in (Status.RESOLVED, Status.CLOSED)
    resolved_at = (ticket.resolved_at or ticket.closed_at) if done else None
    tier_time = TierTime.objects.filter(ticket=ticket).first()
    classification = TicketClassification.objects.filter(ticket=ticket).first()
    sent = TicketArticle.objects.filter(ticket=ticket, kind=LinkKind.SENT).exists()

    assert (row.team_id, row.tier, row.priority, row.channel, row.status) == (
        ticket.team_id,
        ticket.tier,
        ticket.priority,
        ticket.channel,
        ticket.status,
    )
    assert (row.category_id, row.product_id, row.location_id) == (
        ticket.category_id,
        ticket.product_id,
        ticket.location_id,
    )
    assert row.created_at == ticket.created_at
    assert row.resolved_at == resolved_at
    if ticket.first_response_at is None:
        assert row.first_response_seconds is None
    else:
        expected = (ticket.first_response_at - ticket.created_at).total_seconds()
        assert row.first_response_seconds == pytest.approx(expected, abs=1e-3)
    if resolved_at is None:
        assert row.resolution_seconds is None
    else:
        expected = (resolved_at - ticket.created_at).total_seconds()
        assert row.resolution_seconds == pytest.approx(expected, abs=1e-3)
    stored = (
        (0.0, 0.0, 0.0, 0, 0)
        if tier_time is None
        else (
            tier_time.tier1_seconds,
            tier_time.tier2_seconds,
            tier_time.tier3_seconds,
            tier_time.escalations,
            tier_time.hand_backs,
        )
    )
    assert (row.tier1_seconds, row.tier2_seconds, row.tier3_seconds) == pytest.approx(stored[:3])
    assert (row.escalations, row.hand_backs) == stored[3:]
    assert row.escalations == Escalation.objects.filter(ticket=ticket).count()
    escalated_to = [e.to_tier for e in Escalation.objects.filter(ticket=ticket)]
    timed_in = [t for t in (1, 2, 3) if tier_time and getattr(tier_time, f"tier{t}_seconds")]
    assert row.max_tier == max([ticket.tier, *escalated_to, *timed_in])
    assert row.reopens == ticket.events.filter(kind="reopened").count()
    assert row.root_cause_id == (classification.root_cause_id if classification else None)
    assert row.feature == (classification.feature if classification else "")
    assert row.is_regression == (classification.is_regression if classification else False)
    assert row.shared_article == sent
    assert row.resolution == (ticket.resolution or ("documentation" if done and sent else ""))
    cause = classification.root_cause if classification else None
    names = [ticket.category.name if ticket.category else "", cause.name if cause else ""]
    assert row.is_performance == (
        ticket.tags.filter(name="performance").exists()
        or any("performance" in name.lower() for name in names)
    )
    assert row.sla_first_response == sla_outcome(ticket, FR, row.refreshed_at)
    assert row.sla_resolution == sla_outcome(ticket, RES, row.refreshed_at)
    assert row.assignee_id == ticket.assignee_id
    rating = Rating.objects.filter(ticket=ticket).first()
    assert row.satisfied == (rating.score == "good" if rating else None)
    return row


def sla_outcome(ticket: Ticket, metric: str, now: datetime) -> str:
    """The outcome as the SLA compliance report counts it, from the clock row."""
    clock = Clock.objects.filter(ticket=ticket, metric=metric).order_by("-cycle").first()
    if clock is None:
        return ""
    if clock.state == ClockState.MET:
        return "met"
    if clock.state == ClockState.BREACHED or (
        clock.state == ClockState.RUNNING and clock.due_at <= now
    ):
        return "breached"
    return ""


# --- The life of a ticket ---------------------------------------------------------------------


def test_a_ticket_up_three_tiers_and_back_has_every_figure_of_its_rows(
    sla, open_ticket, path, tier1, tier2, developer, customer
):
    cause = RootCause.objects.create(name="Payment gateway performance")
    article = ArticleFactory(title="Declined cards after an update")
    with at(0):
        ticket = open_ticket()
    assert_fact_matches_the_rows(ticket)  # from the first change on
    with at(0.5):
        ticket_take(ticket=ticket, agent=tier1)
    with at(1):
        comment_add(ticket=ticket, author=tier1, body="Looking into it.")  # first response
    with at(2):
        ticket_escalate(ticket=ticket, expected_tier=1, actor=tier1, reason="Refund override")
    with at(3):
        ticket_escalate(
            ticket=ticket, expected_tier=2, actor=tier2, reason="Bug", values={"steps": "s"}
        )
    with at(5):
        ticket_hand_back(ticket=ticket, expected_tier=3, actor=developer, note="Which till?")
    with at(5.5):
        classification_set(
            ticket=ticket, actor=tier2, root_cause=cause, is_regression=True, feature="Refunds"
        )
        article_link_send(ticket=ticket, article=article, agent=tier2)
    with at(6):  # late: the resolution was due at 4 h
        ticket_update(ticket=ticket, actor=tier2, data={"status": Status.RESOLVED})
    mid = assert_fact_matches_the_rows(ticket)
    assert (mid.sla_first_response, mid.sla_resolution) == ("met", "breached")
    with at(7):  # the requester says it still fails: reopened, a new resolution clock
        comment_add(ticket=ticket, author=customer, body="Still declined.")
    with at(8):
        ticket_update(ticket=ticket, actor=tier2, data={"status": Status.RESOLVED})
    with at(9):
        ticket_update(ticket=ticket, actor=None, data={"status": Status.CLOSED}, source="timer")

    row = assert_fact_matches_the_rows(ticket)
    # The same figures, said plainly for this story.
    assert (row.tier1_seconds, row.tier2_seconds, row.tier3_seconds) == (
        2 * HOUR,
        3 * HOUR,
        2 * HOUR,
    )
    assert (row.escalations, row.hand_backs, row.max_tier, row.reopens) == (2, 1, 3, 1)
    assert row.first_response_seconds == pytest.approx(1 * HOUR)
    assert row.resolution_seconds == pytest.approx(8 * HOUR)  # to the last resolution
    assert row.resolved_at == T0 + timedelta(hours=8)
    assert (row.root_cause_id, row.feature, row.is_regression) == (cause.pk, "Refunds", True)
    assert (row.shared_article, row.resolution) == (True, Resolution.DOCUMENTATION)
    assert row.is_performance  # the root cause's name says so
    assert row.status == Status.CLOSED
    now = T0 + timedelta(hours=9)
    assert row.sla_first_response == sla_outcome(ticket, FR, now) == "met"
    assert row.sla_resolution == sla_outcome(ticket, RES, now) == "met"  # the latest cycle
    assert row.refreshed_at == now


def test_a_reopen_by_an_agent_is_counted_by_the_change_that_made_it(open_ticket, tier1):
    with at(0):
        ticket = open_ticket()
    with at(1):
        ticket_update(ticket=ticket, actor=tier1, data={"status": Status.RESOLVED})
    with at(2):
        ticket_update(ticket=ticket, actor=tier1, data={"status": Status.OPEN})

    row = assert_fact_matches_the_rows(ticket)
    assert (row.reopens, row.resolved_at, row.resolution_seconds) == (1, None, None)


def test_a_ticket_closed_without_being_resolved_counts_its_closing_time(open_ticket, tier1):
    with at(0):
        ticket = open_ticket()
    with at(3):
        ticket_update(ticket=ticket, actor=tier1, data={"status": Status.CLOSED})

    row = assert_fact_matches_the_rows(ticket)
    assert row.resolved_at == T0 + timedelta(hours=3)
    assert row.resolution_seconds == pytest.approx(3 * HOUR)


def test_sla_outcomes_are_those_the_compliance_report_counts(sla, open_ticket, tier1):
    with at(0):
        answered_late, unanswered, waiting = open_ticket(), open_ticket(), open_ticket()
        ticket_update(ticket=waiting, actor=tier1, data={"status": Status.PENDING})
    assert fact(unanswered).sla_first_response == ""  # running, not due yet
    assert fact(waiting).sla_resolution == ""  # paused
    with at(3):
        comment_add(ticket=answered_late, author=tier1, body="Sorry for the wait.")
        facts_refresh([unanswered.pk])  # running past its due time, not yet swept

    now = T0 + timedelta(hours=3)
    for ticket in (answered_late, unanswered, waiting):
        row = assert_fact_matches_the_rows(ticket)
        assert row.sla_first_response == sla_outcome(ticket, FR, now)
        assert row.sla_resolution == sla_outcome(ticket, RES, now)
    assert fact(answered_late).sla_first_response == "breached"
    assert fact(unanswered).sla_first_response == "breached"
    assert fact(waiting).sla_resolution == ""
    # The report, over the same clocks, counts the same.
    with at(3):
        [first] = compliance(user=None, by="metric", metric=FR, now=now)
    facts = TicketFact.objects.all()
    assert first["on_time"] == facts.filter(sla_first_response="met").count()
    assert first["breached"] == facts.filter(sla_first_response="breached").count()


def test_performance_resolution_and_tier_set_by_hand(open_ticket, tier1, admin_user):
    slow = Category.objects.create(name="Slow or unstable connection (PERFORMANCE)")
    with at(0):
        by_category = open_ticket(category=slow)
        by_tag = open_ticket()
        plain = open_ticket()
        ticket_update(ticket=by_tag, actor=tier1, data={"tags": ["performance", "pos"]})
        # A rule (the "set tier" action) may place a ticket at tier 2 without an escalation.
        ticket_update(ticket=plain, actor=None, data={"tier": 2}, allow_tier=True, source="rule")
    with at(1):
        ticket_update(
            ticket=plain,
            actor=tier1,
            data={"status": Status.RESOLVED, "resolution": Resolution.WORKAROUND},
        )

    assert (fact(by_category).is_performance, fact(by_tag).is_performance) == (True, True)
    row = assert_fact_matches_the_rows(plain)
    assert (row.is_performance, row.resolution, row.max_tier, row.escalations) == (
        False,
        Resolution.WORKAROUND,
        2,
        0,
    )


def test_an_article_sent_to_an_open_ticket_is_no_resolution_yet(open_ticket, tier1):
    with at(0):
        ticket = open_ticket()
    with at(1):
        article_link_send(ticket=ticket, article=ArticleFactory(), agent=tier1)

    row = assert_fact_matches_the_rows(ticket)
    assert (row.shared_article, row.resolution) == (True, "")


# --- Cost -------------------------------------------------------------------------------------


def test_a_refresh_is_one_query_for_one_ticket_or_many(open_ticket, django_assert_num_queries):
    with at(0):
        tickets = [open_ticket() for _ in range(3)]
    with django_assert_num_queries(1):
        assert facts_refresh([tickets[0].pk]) == 1
    with django_assert_num_queries(1):
        assert facts_refresh([t.pk for t in tickets]) == 3
    with django_assert_num_queries(0):
        assert facts_refresh([]) == 0


def test_a_refresh_reuses_its_compiled_statement_for_another_ticket_and_moment(
    open_ticket, monkeypatch
):
    """Compiling the statement was most of a change's cost: it is compiled once, and a later
    refresh of another ticket at another moment stores that ticket's figures as of then."""
    with at(0):
        first, second = open_ticket(), open_ticket()
        facts_refresh([first.pk])
    compiled = []
    original = SQLCompiler.as_sql
    monkeypatch.setattr(
        SQLCompiler, "as_sql", lambda self, *a, **k: compiled.append(1) or original(self, *a, **k)
    )
    with at(5):
        assert facts_refresh([second.pk]) == 1
    assert compiled == []
    row = assert_fact_matches_the_rows(second)
    assert row.refreshed_at == T0 + timedelta(hours=5)
    assert fact(first).refreshed_at == T0


def test_a_change_refreshes_its_ticket_once(open_ticket, tier1):
    with at(0):
        ticket = open_ticket()
    with at(1), CaptureQueriesContext(connection) as queries:
        comment_add(ticket=ticket, author=tier1, body="Checking the logs.", internal=True)

    writes = [q["sql"] for q in queries.captured_queries if "insights_ticketfact" in q["sql"]]
    assert len(writes) == 1
    assert fact(ticket).refreshed_at == T0 + timedelta(hours=1)


# --- Repair -----------------------------------------------------------------------------------


def test_a_rebuild_repairs_a_change_that_bypassed_the_services(open_ticket, tier1):
    with at(0):
        ticket = open_ticket()
    with at(1):
        comment_add(ticket=ticket, author=tier1, body="On it.")
    # Backdated with a queryset update, as the demo does: no event, no reaction.
    with at(2):
        Ticket.objects.filter(pk=ticket.pk).update(
            created_at=T0 - timedelta(days=2), updated_at=T0 + timedelta(hours=2)
        )
    assert fact(ticket).created_at == T0  # stale

    with at(3):
        assert facts_rebuild() == 1

    row = assert_fact_matches_the_rows(ticket)
    assert row.first_response_seconds == pytest.approx(2 * 24 * HOUR + HOUR)


def test_only_stale_tickets_are_refreshed_when_asked(open_ticket):
    with at(0):
        fresh, changed, missing = open_ticket(), open_ticket(), open_ticket()
    with at(1):
        Ticket.objects.filter(pk=changed.pk).update(
            priority=Priority.HIGH, updated_at=T0 + timedelta(hours=1)
        )
        TicketFact.objects.filter(ticket=missing).delete()
    with at(2):
        assert facts_rebuild(stale_only=True, batch=2) == 2
        assert facts_rebuild(stale_only=True) == 0  # nothing left to do

    assert fact(fresh).refreshed_at == T0
    assert fact(changed).refreshed_at == fact(missing).refreshed_at == T0 + timedelta(hours=2)
    assert fact(changed).priority == Priority.HIGH
    for ticket in (fresh, changed, missing):
        assert_fact_matches_the_rows(ticket)


def test_the_command_and_the_beat_task_fill_the_table(open_ticket):
    with at(0):
        tickets = [open_ticket() for _ in range(3)]
    TicketFact.objects.all().delete()  # a desk from before insights

    out = io.StringIO()
    with at(1):
        call_command("insights_rebuild", "--stale", "--batch", "2", stdout=out)
    assert TicketFact.objects.count() == 3
    assert "3 ticket figures written" in out.getvalue()
    assert out.getvalue().count(" facts written so far") == 2  # one line per batch

    TicketFact.objects.filter(ticket=tickets[0]).delete()
    with at(2):
        assert facts_refresh_stale_task.delay().get() == 1
    assert fact(tickets[0]).refreshed_at == T0 + timedelta(hours=2)


def test_a_rebuild_of_no_tickets_writes_nothing(db):
    assert facts_rebuild() == 0
