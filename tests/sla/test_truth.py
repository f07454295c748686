"""SLA figures are true: a clock stopped after its due time is late whether or not the sweep
saw it first; compliance on every report agrees with the raw clock rows; the worker down for an
hour and back records every missed warning and breach once, in due order; and the migration
puts existing clocks right, quietly."""

from datetime import datetime

import pytest
from django.apps import apps as django_apps
from django.urls import reverse
from django.utils import timezone

from apps.sla import selectors, services
from apps.sla.models import Clock, ClockState, StepRun
from apps.tickets.models import Priority, Status
from apps.tickets.services import comment_add, ticket_update
from tests.conftest import signed_in

from .conftest import BERLIN, FR, NR, RES
from .factories import policy_with

pytestmark = pytest.mark.django_db


def local(dt):
    return dt.astimezone(BERLIN).replace(tzinfo=None)


def clock_of(ticket, metric) -> Clock:
    return Clock.objects.filter(ticket=ticket, metric=metric).order_by("-cycle").first()


# --- Late is late, swept or not ----------------------------------------------------------------


def test_an_answer_after_the_due_time_is_late_though_no_sweep_ran(
    standard, open_ticket, agent, at, agent_client
):
    with at(2026, 6, 8, 9, 0):  # Monday: first response due 11:00
        ticket = open_ticket()
    with at(2026, 6, 8, 13, 51):  # no sweep ran: the worker was down
        comment_add(ticket=ticket, author=agent, body="Sorry, looking at it now.")
    first = clock_of(ticket, FR)
    assert first.state == ClockState.BREACHED
    assert local(first.due_at) == datetime(2026, 6, 8, 11, 0)  # the due time is kept
    assert first.late_seconds == (2 * 60 + 51) * 60
    assert first.breached_at is None  # the sweep is still to record it

    html = agent_client.get(reverse("workspace:ticket", args=[ticket.reference])).content.decode()
    assert "met late by 2 h 51 min" in html
    assert "Met late" in html


def test_lateness_is_business_time_and_an_answer_in_time_is_met(standard, open_ticket, agent, at):
    with at(2026, 6, 5, 16, 0):  # Friday: first response due Monday 10:00
        late = open_ticket()
        in_time = open_ticket()
    with at(2026, 6, 8, 9, 30):
        comment_add(ticket=in_time, author=agent, body="On it.")
    with at(2026, 6, 8, 11, 15):
        comment_add(ticket=late, author=agent, body="On it.")
    assert clock_of(in_time, FR).state == ClockState.MET
    assert clock_of(in_time, FR).late_seconds is None
    assert clock_of(late, FR).state == ClockState.BREACHED
    assert clock_of(late, FR).late_seconds == 75 * 60


def test_waiting_on_the_requester_after_the_due_time_does_not_hide_the_miss(
    standard, open_ticket, agent, requester, at
):
    with at(2026, 6, 8, 9, 0):
        ticket = open_ticket()
    with at(2026, 6, 8, 12, 0):  # an hour past due, unswept: waiting now does not pause it
        ticket_update(ticket=ticket, actor=agent, data={"status": Status.PENDING})
    with at(2026, 6, 8, 12, 5):
        services.sla_sweep()
    resolution = clock_of(ticket, RES)
    assert resolution.state == ClockState.PAUSED  # not due yet: it pauses as before
    assert clock_of(ticket, FR).state == ClockState.BREACHED
    assert ticket.events.filter(kind="sla_breached").count() == 1


# --- Compliance agrees with the raw rows, on every report --------------------------------------


def truth(rows, now):
    """Compliance from raw clock rows, by stop time against due time — not from the state."""
    out = {}
    for c in rows:
        if c.met_at is not None:
            late = c.met_at > c.due_at if c.due_at else c.elapsed_seconds > c.target_seconds
        elif c.due_at is not None and c.due_at <= now and c.state != ClockState.PAUSED:
            late = True
        else:
            continue  # undecided
        total, on_time = out.get((c.metric, c.team), (0, 0))
        out[(c.metric, c.team)] = (total + 1, on_time + (not late))
    return out


@pytest.fixture
def history(standard, open_ticket, agent, other_agent, other_team, at):
    """A week of tickets answered in time, late before the sweep, late after it, unanswered,
    waiting, resolved late, on two teams; the sweep runs only now and then."""
    script = [
        # (opened, answered, resolved, team)
        ((2026, 6, 8, 9, 0), (2026, 6, 8, 10, 0), (2026, 6, 9, 10, 0), None),
        ((2026, 6, 8, 9, 30), (2026, 6, 8, 14, 0), None, None),  # late, unswept
        ((2026, 6, 8, 10, 0), (2026, 6, 8, 16, 0), (2026, 6, 12, 16, 0), None),  # late twice
        ((2026, 6, 9, 9, 0), None, None, None),  # never answered: running past due
        ((2026, 6, 9, 9, 0), (2026, 6, 9, 9, 5), (2026, 6, 9, 9, 30), "other"),
        ((2026, 6, 9, 14, 0), (2026, 6, 10, 9, 30), None, "other"),  # late over the night
        ((2026, 6, 10, 9, 0), (2026, 6, 10, 9, 20), None, "other"),
    ]
    tickets = []
    for opened, answered, resolved, team in script:
        with at(*opened):
            ticket = open_ticket()
            if team:
                ticket_update(ticket=ticket, actor=agent, data={"team": other_team})
        tickets.append((ticket, answered, resolved))
    worker = {
        t.pk: other_agent if team else agent
        for (t, *_), (*_, team) in zip(tickets, script, strict=True)
    }
    moments = sorted(
        [(a, "answer", t) for t, a, _ in tickets if a]
        + [(r, "resolve", t) for t, _, r in tickets if r]
        + [((2026, 6, 8, 15, 0), "sweep", None), ((2026, 6, 10, 12, 0), "sweep", None)]
    )
    for moment, what, ticket in moments:
        with at(*moment):
            if what == "sweep":
                services.sla_sweep()
            elif what == "answer":
                comment_add(ticket=ticket, author=worker[ticket.pk], body="Answer.")
            else:
                ticket_update(
                    ticket=ticket, actor=worker[ticket.pk], data={"status": Status.RESOLVED}
                )
    return [t for t, _, _ in tickets]


def test_compliance_per_metric_and_team_agrees_with_the_raw_rows(history, lead, at):
    with at(2026, 6, 12, 18, 0):
        now = timezone.now()
        rows = list(Clock.objects.select_related("ticket__team"))
        for c in rows:
            c.team = c.ticket.team.name
        expected = truth(rows, now)
        assert sum(total - ok for total, ok in expected.values()) >= 5  # late ones exist
        by_team = selectors.compliance(user=lead, by="team", now=now, weeks=1)
        by_metric = selectors.compliance(user=None, by="metric", now=now, weeks=1)
        api = signed_in(lead).get(reverse("sla-api:compliance"), {"by": "team", "weeks": 1})
    got = {(r["metric"], r["group"]): (r["total"], r["on_time"]) for r in by_team}
    mine = {k: v for k, v in expected.items() if k[1] == "Service Desk"}
    assert got == mine  # the lead sees their own team
    assert {
        (r["metric"], r["group"]): (r["total"], r["on_time"]) for r in api.json()["results"]
    } == mine
    for row in by_metric:
        totals = [v for (m, _), v in expected.items() if m == row["metric"]]
        assert (row["total"], row["on_time"]) == (
            sum(t for t, _ in totals),
            sum(ok for _, ok in totals),
        )
        assert row["breached"] == row["total"] - row["on_time"]


def test_the_leads_page_shows_the_true_share_per_metric(history, lead, at):
    with at(2026, 6, 12, 18, 0):
        html = signed_in(lead).get(reverse("sla:at_risk")).content.decode()
        first = selectors.compliance(user=lead, by="metric", metric=FR)[0]
    assert first["percent"] < 100
    assert f"{first['percent']} %" in html
    assert f"{first['on_time']}/{first['total']}" in html


def test_compliance_by_week_and_priority_and_for_one_metric(history, lead, at):
    with at(2026, 6, 12, 18, 0):
        weeks = selectors.compliance(user=lead, by="week", metric=RES)
        prios = selectors.compliance(user=lead, by="priority")
        api = signed_in(lead).get(reverse("sla-api:compliance"), {"by": "week", "metric": RES})
    assert {r["metric"] for r in weeks} == {RES}
    assert [r["group"].date().isoformat() for r in weeks] == [
        r["group"] for r in api.json()["results"]
    ]
    assert {r["group"] for r in prios} == {Priority.NORMAL}
    assert signed_in(lead).get(reverse("sla-api:compliance"), {"metric": "x"}).status_code == 400


# --- The worker down for an hour ---------------------------------------------------------------


@pytest.fixture
def quick(always, lead):
    """Round the clock: first response in 10 min, resolution in 60, warn at half; steps on."""
    return policy_with(
        "Quick",
        always,
        {(FR, Priority.NORMAL): 10, (NR, Priority.NORMAL): 10, (RES, Priority.NORMAL): 60},
        warn_percent=50,
        steps=[(0, "notify", {"users": [lead.pk], "message": "Breached."})],
        position=1,
    )


def test_the_worker_down_for_an_hour_and_back(quick, open_ticket, agent, at):
    opened = {}
    for minute in (0, 3, 6, 9):
        with at(2026, 6, 6, 10, minute):
            opened[minute] = open_ticket()
    with at(2026, 6, 6, 10, 1):
        services.sla_sweep()  # the last sweep before the worker went down: nothing due yet
    # Down from 10:01. At 10:17 an agent answers the 10:03 ticket, 4 minutes after its due
    # time; at 10:30 another asks the 10:06 one a question, past its due time too.
    with at(2026, 6, 6, 10, 17):
        comment_add(ticket=opened[3], author=agent, body="Sorry for the wait.")
    with at(2026, 6, 6, 10, 30):
        comment_add(ticket=opened[6], author=agent, body="Which till?")
        ticket_update(ticket=opened[6], actor=agent, data={"status": Status.PENDING})

    with at(2026, 6, 6, 11, 2):  # back an hour later
        services.sla_sweep()
        services.sla_sweep()  # a second beat at once changes nothing

    firsts = {m: clock_of(t, FR) for m, t in opened.items()}
    late = firsts[3]
    assert late.state == ClockState.BREACHED
    assert local(late.met_at) == datetime(2026, 6, 6, 10, 17)
    assert late.late_seconds == 4 * 60
    assert late.next_step_at is None
    assert not StepRun.objects.filter(clock=late).exists()
    assert all(c.state == ClockState.BREACHED for c in firsts.values())

    tickets = [t.pk for t in opened.values()]
    from apps.tickets.models import TicketEvent

    recorded = list(
        TicketEvent.objects.filter(ticket__in=tickets, kind__in=["sla_warning", "sla_breached"])
        .order_by("id")
        .values_list("ticket_id", "kind", "data")
    )
    by_ticket = {t.pk: m for m, t in opened.items()}
    breaches = [(by_ticket[t], d["target"]) for t, k, d in recorded if k == "sla_breached"]
    # Each first response breached once, the late-answered one too; each resolution (due at
    # 11:00-11:09) once if due by now — all in the order they fell due.
    assert breaches == [
        (0, "First response"),
        (3, "First response"),
        (6, "First response"),
        (9, "First response"),
        (0, "Resolution"),
    ]
    warnings = [(by_ticket[t], d["target"]) for t, k, d in recorded if k == "sla_warning"]
    # Warnings only for what was still running: the first responses answered meanwhile (10:03
    # and 10:06) need none — their breach says it all.
    assert sorted(warnings) == sorted(
        [(0, "First response"), (9, "First response")] + [(m, "Resolution") for m in (0, 3, 9)]
    )
    # In due order: every event in the order its clock's moment fell due.
    due = {
        (c.ticket_id, c.get_metric_display()): c for c in Clock.objects.filter(ticket__in=tickets)
    }
    moments = [
        due[(t, d["target"])].warn_at if k == "sla_warning" else due[(t, d["target"])].due_at
        for t, k, d in recorded
    ]
    assert moments == sorted(moments)
    # The paused-late ticket (10:06, asked at 10:30) kept its breach and its resolution clock
    # paused as a waiting ticket should.
    assert clock_of(opened[6], RES).state == ClockState.PAUSED

    with at(2026, 6, 6, 11, 2):  # the next beat: the same again is recorded once still
        services.sla_sweep()
    again = TicketEvent.objects.filter(
        ticket__in=tickets, kind__in=["sla_warning", "sla_breached"]
    ).count()
    assert again == len(recorded)


# --- The migration ------------------------------------------------------------------------------


def test_the_migration_marks_clocks_stopped_late_and_tells_nobody(standard, open_ticket, agent, at):
    import importlib

    migration = importlib.import_module("apps.sla.migrations.0003_clocks_stopped_late")
    with at(2026, 6, 8, 9, 0):
        late = open_ticket()
        in_time = open_ticket()
    with at(2026, 6, 8, 10, 0):
        comment_add(ticket=in_time, author=agent, body="On it.")
    with at(2026, 6, 8, 13, 51):
        comment_add(ticket=late, author=agent, body="On it.")
    # As the first release left them: "met", however late.
    Clock.objects.filter(ticket=late, metric=FR).update(
        state=ClockState.MET, late_seconds=None, breached_at=None
    )
    migration.decide_stopped_clocks(django_apps, None)
    wrong = clock_of(late, FR)
    assert wrong.state == ClockState.BREACHED
    assert wrong.late_seconds == (2 * 60 + 51) * 60
    assert wrong.breached_at == wrong.due_at  # recorded as a past fact
    assert clock_of(in_time, FR).state == ClockState.MET
    with at(2026, 6, 8, 14, 0):
        found = services.sla_sweep()
    assert wrong.pk not in found["breach"]
    assert late.events.filter(kind="sla_breached").count() == 0


@pytest.mark.parametrize("template", ["sla/_compliance_cell.html", "sla/_compliance_metric.html"])
def test_none_on_time_reads_zero_percent_not_a_dash(template):
    """0 of 2 on time is 0.0 %, a figure; "—" is only for nothing decided yet."""
    from django.template.loader import render_to_string

    late = {"on_time": 0, "total": 2, "breached": 2, "percent": 0.0, "metric": "first_response"}
    empty = {"on_time": 0, "total": 0, "breached": 0, "percent": None, "metric": "first_response"}
    context = {"row": late, "rows": [late]}
    assert "0.0 %" in render_to_string(template, context)
    assert "— %" in render_to_string(template, {"row": empty, "rows": [empty]})
