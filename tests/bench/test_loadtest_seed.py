"""The load test's quick desk (bench/loadtest/seed.py, the CI form of `make loadtest`): the demo's
people and configuration, tickets written with COPY (bench/bulk_seed.py), the demo's articles
and collaborator tasks. COPY names every column it writes, so a new required ticket column
breaks it here rather than in CI's load test."""

import pytest
from django.db.models import Exists, OuterRef

from apps.accounts.models import User
from apps.knowledge.models import Article
from apps.sla.models import Clock, ClockState
from apps.subtasks.models import Subtask
from apps.tickets.models import Ticket
from bench.loadtest.seed import _quick_desk

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db]


def test_the_quick_desk_has_tickets_people_articles_and_tasks():
    _quick_desk(tickets=120)

    assert Ticket.objects.count() >= 120
    assert Article.objects.exists()  # the help centre's search finds something
    ops = User.objects.get(email="ops@example.com")
    assert ops.check_password("demo1234")
    assert Subtask.objects.filter(assignee_user=ops).exists()  # "my tasks" is not empty


def test_bulk_tickets_carry_the_sla_state_of_their_clocks():
    _quick_desk(tickets=300)

    breached = Clock.objects.filter(
        ticket=OuterRef("pk"), state=ClockState.BREACHED, met_at__isnull=True
    )
    paused = Clock.objects.filter(ticket=OuterRef("pk"), state=ClockState.PAUSED)
    tickets = Ticket.objects.annotate(breached=Exists(breached), paused=Exists(paused))
    assert tickets.filter(breached=True).exists()
    assert tickets.filter(paused=True).exists()
    wrong = [
        t.reference for t in tickets if (t.sla_breached, t.sla_paused) != (t.breached, t.paused)
    ]
    assert wrong == []
