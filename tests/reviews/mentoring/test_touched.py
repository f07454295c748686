"""Which tickets a tech "touched", read from the event history: assigned (by anyone), held,
replied, noted, escalated; never by merely looking at it or its sitting in their team's queue;
and only those whose latest resolution fell in the week (Monday to Sunday, the desk's time)."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.reviews.mentoring.selectors import touched_in_week
from apps.tickets.models import EventKind, Resolution, Status, Ticket, TicketEvent
from apps.tickets.services import comment_add, ticket_update
from apps.tickets.templatetags.ticket_ui import event_data
from apps.tickets.tiers.services import ticket_escalate, ticket_holder_set
from tests.factories import TicketFactory

from .conftest import NEXT_WEEK, WEEK, WEEK_BEFORE, at, client_for, during, open_ticket, resolve


def touched(tech, week=WEEK) -> dict[str, list[str]]:
    """reference → how the tech touched it, for the week."""
    found = touched_in_week(tech_ids=[tech.pk], week=week)[tech.pk]
    return {t.ticket.reference: t.ways for t in found}


def test_assigned_by_someone_else_then_reassigned_counts_as_passed_on(people, desk):
    tariq, lead, other = people["tariq"], people["lead"], people["other"]
    ticket = open_ticket(people["requester"], desk)
    with during(hour=10):
        ticket_update(ticket=ticket, actor=lead, data={"assignee": tariq})
    with during(hour=11):
        ticket_update(ticket=ticket, actor=lead, data={"assignee": other})
        comment_add(ticket=ticket, author=other, body="Fixed it.")
    resolve(ticket, other)

    found = touched_in_week(tech_ids=[tariq.pk], week=WEEK)[tariq.pk]
    assert [t.ticket.pk for t in found] == [ticket.pk]
    assert found[0].ways == ["assigned"]  # by the lead, and no longer assigned: the history says
    assert found[0].passed_on_suggested  # no reply, note or resolution of his


def test_the_assignee_id_is_in_the_event_but_not_in_the_history_people_read(people, desk):
    tariq = people["tariq"]
    ticket = open_ticket(people["requester"], desk)
    with during(hour=10):
        ticket_update(ticket=ticket, actor=people["lead"], data={"assignee": tariq})
    event = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.CHANGED).last()
    assert event.data["assignee_id"] == tariq.pk
    assert event.changes["assignee"] == {"before": None, "after": "Tariq Haddad"}
    assert all("assignee" not in row["key"].lower() for row in event_data(event))

    page = client_for(people["lead"]).get(reverse("workspace:ticket", args=[ticket.reference]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Tariq Haddad" in text
    assert "Assignee id" not in text
    assert "assignee_id" not in text


def test_holder_then_released_counts(people, desk):
    tariq, lead = people["tariq"], people["lead"]
    ticket = open_ticket(people["requester"], desk)
    with during(hour=10):
        ticket_holder_set(ticket=ticket, holder=tariq, actor=lead)
    with during(hour=11):
        ticket_holder_set(ticket=ticket, holder=people["mia"], actor=lead)
        comment_add(ticket=ticket, author=lead, body="Done.")
    resolve(ticket, lead)

    ways = touched(tariq)
    assert ways == {ticket.reference: ["held"]}
    assert touched(people["mia"]) == {ticket.reference: ["held"]}  # the current holder too


def test_a_reply_or_an_internal_note_counts_and_is_hands_on(people, desk):
    tariq, mia = people["tariq"], people["mia"]
    replied = open_ticket(people["requester"], desk, subject="Printer jam")
    noted = open_ticket(people["requester"], desk, subject="VPN drops")
    with during(hour=11):
        comment_add(ticket=replied, author=tariq, body="Open tray 2 and pull the paper.")
        comment_add(ticket=noted, author=mia, body="Same as last week's VPN issue.", internal=True)
    resolve(replied, people["lead"])
    resolve(noted, people["lead"])

    [reply] = touched_in_week(tech_ids=[tariq.pk], week=WEEK)[tariq.pk]
    assert reply.ticket == replied
    assert reply.ways == ["replied"]
    assert not reply.passed_on_suggested
    [note] = touched_in_week(tech_ids=[mia.pk], week=WEEK)[mia.pk]
    assert note.ticket == noted
    assert note.ways == ["internal note"]
    assert not note.passed_on_suggested


def test_escalating_counts(people, desk):
    tariq = people["tariq"]
    ticket = open_ticket(people["requester"], desk)
    with during(hour=10):
        ticket_escalate(
            ticket=ticket, actor=tariq, reason="Needs tier 2.", expected_tier=ticket.tier
        )
    with during(hour=12):
        comment_add(ticket=ticket, author=people["sponsor"], body="Fixed at tier 2.")
    resolve(ticket, people["sponsor"])

    [touch] = touched_in_week(tech_ids=[tariq.pk], week=WEEK)[tariq.pk]
    assert touch.ticket == ticket
    assert "escalated" in touch.ways
    assert touch.passed_on_suggested  # escalated without a word to anyone: the suggestion


def test_resolving_it_counts(people, desk):
    ticket = open_ticket(people["requester"], desk)
    resolve(ticket, people["mia"])
    assert touched(people["mia"]) == {ticket.reference: ["resolved"]}


def test_only_viewed_or_only_in_the_techs_team_is_not_touched(people, desk):
    tariq, lead = people["tariq"], people["lead"]
    viewed = open_ticket(people["requester"], desk, subject="Looked at only")
    queued = open_ticket(people["requester"], desk, subject="In the queue only")
    page = client_for(tariq).get(reverse("workspace:ticket", args=[viewed.reference]))
    assert page.status_code == 200  # he may see it, and did
    for ticket in (viewed, queued):
        with during(hour=12):
            comment_add(ticket=ticket, author=lead, body="Sorted.")
        resolve(ticket, lead)

    assert touched(tariq) == {}
    assert set(touched(lead)) == {viewed.reference, queued.reference}


def test_the_current_assignee_counts_even_without_events(people, desk):
    ticket = TicketFactory(
        team=desk,
        assignee=people["ines"],
        status=Status.RESOLVED,
        resolved_at=at(WEEK, 15),
        resolution=Resolution.INFORMATION,
    )
    assert touched(people["ines"]) == {ticket.reference: ["assigned"]}


def test_closed_outside_the_week_is_left_out(people, desk):
    tariq = people["tariq"]
    before = open_ticket(people["requester"], desk, day=WEEK_BEFORE, subject="Last week's")
    after = open_ticket(people["requester"], desk, day=WEEK, subject="Still open")
    sunday_night = open_ticket(people["requester"], desk, day=WEEK, subject="Sunday night")
    for ticket in (before, after, sunday_night):
        with during(ticket.created_at.date(), hour=10):
            comment_add(ticket=ticket, author=tariq, body="On it.")
    resolve(before, tariq, day=WEEK_BEFORE + datetime.timedelta(days=6), hour=23, minute=59)
    resolve(sunday_night, tariq, day=WEEK + datetime.timedelta(days=6), hour=23, minute=59)

    assert set(touched(tariq)) == {sunday_night.reference}
    assert set(touched(tariq, WEEK_BEFORE)) == {before.reference}
    assert touched(tariq, NEXT_WEEK) == {}


def test_closed_straight_from_open_counts_in_the_week_it_was_closed(people, desk):
    ticket = open_ticket(people["requester"], desk)
    with during(hour=11):
        comment_add(ticket=ticket, author=people["tariq"], body="Duplicate of SB-1.")
        ticket_update(ticket=ticket, actor=people["tariq"], data={"status": Status.CLOSED})
    ticket.refresh_from_db()
    assert ticket.resolved_at is None
    assert ticket.closed_at is not None
    assert set(touched(people["tariq"])) == {ticket.reference}


def test_reopened_and_resolved_again_counts_in_the_week_of_its_latest_resolution(people, desk):
    tariq, requester = people["tariq"], people["requester"]
    ticket = open_ticket(requester, desk, day=WEEK_BEFORE)
    with during(WEEK_BEFORE, hour=10):
        comment_add(ticket=ticket, author=tariq, body="Try again now.")
    resolve(ticket, tariq, day=WEEK_BEFORE, hour=12)
    assert set(touched(tariq, WEEK_BEFORE)) == {ticket.reference}

    with during(WEEK, hour=9):
        comment_add(ticket=ticket, author=requester, body="It broke again.")  # reopens it
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    resolve(ticket, people["mia"], day=WEEK, hour=15)

    assert touched(tariq, WEEK_BEFORE) == {}
    assert set(touched(tariq, WEEK)) == {ticket.reference}
    assert touched(people["mia"], WEEK) == {ticket.reference: ["resolved"]}


def test_the_week_is_the_desks_monday_to_sunday(people, desk, settings):
    settings.TIME_ZONE = "Europe/Paris"  # UTC+2 in June
    tariq = people["tariq"]
    late_sunday = open_ticket(people["requester"], desk, subject="Sunday 23:30 in Paris")
    early_monday = open_ticket(people["requester"], desk, subject="Monday 00:30 in Paris")
    sunday = WEEK + datetime.timedelta(days=6)
    resolve(late_sunday, tariq, day=sunday, hour=21, minute=30)  # 23:30 in Paris
    resolve(early_monday, tariq, day=sunday, hour=22, minute=30)  # 00:30 on Monday in Paris

    assert set(touched(tariq, WEEK)) == {late_sunday.reference}
    assert set(touched(tariq, NEXT_WEEK)) == {early_monday.reference}


def test_one_techs_tickets_are_not_anothers(people, desk, techs):
    tariq, mia = people["tariq"], people["mia"]
    ticket = open_ticket(people["requester"], desk)
    with during(hour=10):
        comment_add(ticket=ticket, author=tariq, body="On it.")
    resolve(ticket, tariq)
    result = touched_in_week(tech_ids=[t.pk for t in techs], week=WEEK)
    assert [t.ticket for t in result[tariq.pk]] == [ticket]
    assert result[mia.pk] == []
    assert result[people["ines"].pk] == []


def test_two_queries_however_many_techs_and_tickets(people, desk, techs):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            result = touched_in_week(tech_ids=[t.pk for t in techs], week=WEEK)
        return len(captured), sum(len(v) for v in result.values())

    def work(count: int) -> None:
        for i in range(count):
            ticket = open_ticket(people["requester"], desk, subject=f"Ticket {i}")
            with during(hour=10):
                comment_add(ticket=ticket, author=techs[i % 3], body="Looking.")
                ticket_update(ticket=ticket, actor=people["lead"], data={"assignee": techs[0]})
            resolve(ticket, techs[(i + 1) % 3])

    work(2)
    few, found_few = queries()
    work(10)
    many, found_many = queries()
    assert found_few < found_many
    assert few == many == 2
    assert Ticket.objects.count() == 12
