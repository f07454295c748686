"""A desk to score: the quarterly questionnaire, and helpers for tickets resolved in a period."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from apps.reviews.scoring.models import Choice, Question, Questionnaire, ScoreGroup
from apps.routing.models import TicketClassification
from apps.tickets.models import Priority, Status

from ...factories import CategoryFactory, TicketFactory, agent_of

PRODUCT, PROCESS, TEXT = ScoreGroup.PRODUCT, ScoreGroup.PROCESS, ScoreGroup.FREE_TEXT
# The quarter every test scores (in the test settings' time zone).
Q_START, Q_END = datetime.date(2026, 7, 1), datetime.date(2026, 9, 30)


@pytest.fixture
def questionnaire(db):
    """Three product questions, two process ones, two free-text ones."""
    spec = [
        ("Resolved by information or by a code change?", PRODUCT,
         [("Information", 0), ("Workaround", 2), ("Code change", 5)]),
        ("Was the user blocked?", PRODUCT, [("No", 0), ("Slowed", 2), ("Blocked", 5)]),
        ("Part of a wider issue?", PRODUCT, [("No", 0), ("Yes", 4)]),
        ("Investigated at once or needed data from the previous tier?", PROCESS,
         [("At once", 0), ("Needed data", 3)]),
        ("Reported more than once?", PROCESS, [("No", 0), ("Yes", 2), ("Several times", -1)]),
        ("What would have prevented this ticket?", TEXT, []),
        ("Anything else?", TEXT, []),
    ]  # fmt: skip
    questionnaire = Questionnaire.objects.create(name="Quarterly case review")
    for order, (text, group, choices) in enumerate(spec):
        question = Question.objects.create(
            questionnaire=questionnaire, text=text, group=group, order=order
        )
        for n, (label, points) in enumerate(choices):
            Choice.objects.create(question=question, text=label, points=points, order=n)
    return questionnaire


def questions(questionnaire) -> list[Question]:
    return list(questionnaire.questions.prefetch_related("choices").order_by("order"))


def choice(questionnaire, question_no: int, label: str) -> Choice:
    return Choice.objects.get(
        question__questionnaire=questionnaire, question__order=question_no, text=label
    )


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    from django.conf import settings

    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=ZoneInfo(settings.TIME_ZONE))


def resolved(
    team,
    *,
    day: datetime.date = datetime.date(2026, 8, 10),
    hour: int = 12,
    priority: int = Priority.NORMAL,
    category=None,
    feature: str | None = None,
    status: str = Status.RESOLVED,
    **fields,
):
    """A ticket of ``team`` resolved at ``day`` ``hour`` (the desk's time), optionally
    classified with a product feature."""
    ticket = TicketFactory(
        team=team,
        status=status,
        resolved_at=at(day, hour),
        priority=priority,
        category=category or CategoryFactory(name="Cannot sign in"),
        **fields,
    )
    if feature is not None:
        TicketClassification.objects.create(ticket=ticket, feature=feature)
    return ticket


@pytest.fixture
def reviewers(team, lead):
    """Three agents of the team (besides its lead)."""
    return [
        agent_of(team, email=f"reviewer{n}@example.com", full_name=f"Reviewer {n}")
        for n in (1, 2, 3)
    ]


WORST = {0: "Code change", 1: "Blocked", 2: "Yes", 3: "Needed data", 4: "Yes"}  # 14 + 5
MILD = {0: "Information", 1: "Slowed", 2: "No", 3: "At once", 4: "Several times"}  # 2 - 1


def answers_for(questionnaire, picks: dict[int, str], texts: dict[int, str] | None = None):
    """Answers by question order → choice label (scored) and question order → text."""
    answers = {}
    for n, label in picks.items():
        picked = choice(questionnaire, n, label)
        answers[picked.question_id] = picked.pk
    for n, text in (texts or {}).items():
        answers[Question.objects.get(questionnaire=questionnaire, order=n).pk] = text
    return answers


def draw_all(actor, questionnaire, teams, reviewers, **overrides):
    """A round of every ticket the teams resolved in the quarter."""
    from apps.reviews.scoring.models import SampleOrder, SampleRule
    from apps.reviews.scoring.services import round_create

    fields = {
        "name": "Q3 2026 case review",
        "questionnaire": questionnaire,
        "teams": teams,
        "period_start": Q_START,
        "period_end": Q_END,
        "sample_rule": SampleRule.ALL,
        "sample_size": None,
        "sample_order": SampleOrder.RANDOM,
        "reviewers": reviewers,
    } | overrides
    return round_create(actor=actor, **fields)
