"""The knowledge figures a lead reads — deflections that count, and tickets resolved by
documentation — agree with the same figures worked out in the test from the raw rows."""

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from apps.knowledge.models import Deflection, DeflectionKind, LinkKind, TicketArticle
from apps.knowledge.selectors import article_numbers, weekly_numbers
from apps.knowledge.services import DEFLECTION_WINDOW, article_link_send, deflection_record
from apps.tickets.models import Status, Ticket
from apps.tickets.services import comment_add, ticket_create, ticket_update
from tests.conftest import signed_in
from tests.factories import UserFactory

from .factories import ArticleFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def at(days: float):
    return time_machine.travel(MONDAY + timedelta(days=days), tick=False)


def test_deflections_per_article_and_week_agree_with_the_raw_rows(
    requester, other_requester, admin_user
):
    vpn, password = ArticleFactory(title="VPN"), ArticleFactory(title="Password")
    walker = UserFactory(email="walker@example.com")
    with at(0):  # looked and left; looked and left but opened a ticket an hour later
        deflection_record(article=vpn, kind=DeflectionKind.VIEWED, session_key="a", user=requester)
        deflection_record(article=vpn, kind=DeflectionKind.VIEWED, session_key="b", user=walker)
    with at(0.04):
        ticket_create(requester=walker, subject="VPN still down", description="Tried it.")
    with at(1):  # said it solved the problem; anonymous look; the same session twice
        deflection_record(
            article=password, kind=DeflectionKind.SOLVED, session_key="c", user=other_requester
        )
        deflection_record(article=password, kind=DeflectionKind.VIEWED, session_key="d")
        deflection_record(article=password, kind=DeflectionKind.VIEWED, session_key="d")
    with at(8):  # next week: looked, opened a ticket three hours later (too late to cancel)
        deflection_record(article=vpn, kind=DeflectionKind.VIEWED, session_key="e", user=requester)
    with at(8.125):
        ticket_create(requester=requester, subject="Other thing", description="Unrelated.")
    with at(9):  # looked, opened a ticket, then came back and said the article solved it
        deflection_record(
            article=password, kind=DeflectionKind.VIEWED, session_key="f", user=walker
        )
        ticket_create(requester=walker, subject="Password", description="Locked out.")
        deflection_record(
            article=password, kind=DeflectionKind.SOLVED, session_key="f", user=walker
        )

    # From the raw rows: an explicit "solved" counts; a look counts unless the same person
    # opened a ticket within the window after it.
    def counts(d: Deflection) -> bool:
        if d.kind == DeflectionKind.SOLVED or d.user_id is None:
            return True
        return not Ticket.objects.filter(
            requester_id=d.user_id,
            created_at__gte=d.created_at,
            created_at__lte=d.created_at + DEFLECTION_WINDOW,
        ).exists()

    kept = [d for d in Deflection.objects.all() if counts(d)]
    per_article = Counter(d.article_id for d in kept)
    per_week = Counter((d.created_at - timedelta(days=d.created_at.weekday())).date() for d in kept)

    with at(10):
        shown = {a.pk: a.deflection_count for a in article_numbers(user=admin_user)}
        weeks = {w["week"]: w["deflections"] for w in weekly_numbers(weeks=4) if w["deflections"]}
    assert shown == {vpn.pk: per_article[vpn.pk], password.pk: per_article[password.pk]}
    assert weeks == dict(per_week)
    assert sum(per_article.values()) == 5


def test_resolved_by_documentation_agrees_with_the_raw_rows(
    requester, agent, team, lead, admin_user
):
    article = ArticleFactory(title="Reset your password")
    tickets = []
    for n in range(4):
        with at(n * 0.1):
            ticket = ticket_create(requester=requester, subject=f"Locked out {n}", description="!")
            ticket_update(ticket=ticket, actor=agent, data={"team": team})
            tickets.append(ticket)
    solved, reopened, twice, _unsent = tickets
    with at(1):
        for ticket in (solved, reopened, twice):
            article_link_send(ticket=ticket, article=article, agent=agent)
        for ticket in tickets:
            ticket_update(ticket=ticket, actor=agent, data={"status": Status.RESOLVED})
    with at(2):  # the requester says it still fails: open again
        comment_add(ticket=reopened, author=requester, body="Still locked out.")
        comment_add(ticket=twice, author=requester, body="Still locked out.")
    with at(8):  # the next week, resolved again
        ticket_update(ticket=twice, actor=agent, data={"status": Status.RESOLVED})

    # From the raw rows: tickets standing resolved or closed that were sent an article, in the
    # week of their (last) resolution.
    sent = set(TicketArticle.objects.filter(kind=LinkKind.SENT).values_list("ticket_id", flat=True))
    done = Ticket.objects.filter(pk__in=sent, status__in=[Status.RESOLVED, Status.CLOSED])
    per_week = Counter(
        (t.resolved_at - timedelta(days=t.resolved_at.weekday())).date() for t in done
    )

    with at(10):
        shown = {a.pk: a.resolved_ticket_count for a in article_numbers(user=admin_user)}
        weeks = {
            w["week"]: w["resolved_by_documentation"]
            for w in weekly_numbers(weeks=4)
            if w["resolved_by_documentation"]
        }
        api = signed_in(lead).get(reverse("kb-api-numbers")).json()
    assert shown == {article.pk: done.count()}
    assert weeks == dict(per_week)
    assert done.count() == 2
    assert {
        w["week"]: w["resolved_by_documentation"]
        for w in api["weeks"]
        if w["resolved_by_documentation"]
    } == {str(k): v for k, v in per_week.items()}
