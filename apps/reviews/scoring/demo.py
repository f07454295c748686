"""Demo case scoring: the "Quarterly case review" questionnaire an admin wrote, and a round
over last quarter (the last 90 days when the demo's tickets do not reach back that far) of
the Service Desk, shared among three reviewers, about two thirds of it already scored."""

import datetime
import random

from django.utils import timezone

from apps.tickets.models import Priority, Ticket

from .forms import last_quarter, quarter_name
from .models import (
    CaseAnswer,
    Choice,
    Question,
    Questionnaire,
    SampleOrder,
    SampleRule,
    ScoredCase,
    ScoreGroup,
    ScoringRound,
)
from .services import answers_check, questions_of, round_create

PRODUCT, PROCESS, TEXT = ScoreGroup.PRODUCT, ScoreGroup.PROCESS, ScoreGroup.FREE_TEXT

# key, question, help, group, [(answer, points)]
QUESTIONS = [
    ("fix", "Was it resolved by information or by a code change?",
     "What it took to put it right.", PRODUCT,
     [("Information or advice was enough", 0), ("A workaround", 2),
      ("A data or configuration change", 3), ("A code change", 5)]),
    ("blocked", "Was the user blocked?", "", PRODUCT,
     [("No, an annoyance", 0), ("Slowed down, a workaround existed", 2),
      ("Blocked: could not work", 5)]),
    ("wider", "Is it part of a wider issue?", "Other users, sites or tickets hit by the same cause.",
     PRODUCT,
     [("No, a one-off", 0), ("Possibly, worth a look", 1), ("Yes, others were hit too", 4)]),
    ("data", "Investigated at once, or needed data from the previous tier?",
     "Could the agent start work with what the ticket held?", PROCESS,
     [("Investigated at once", 0), ("Needed data once", 2),
      ("Went back and forth more than once", 4)]),
    ("again", "Was it reported more than once?", "", PROCESS,
     [("No, the first report", 0), ("The same person had to come back", 2),
      ("Several people reported it", 3)]),
    ("prevent", "What would have prevented this ticket?", "", TEXT, []),
    ("else", "Anything else?", "", TEXT, []),
]  # fmt: skip

# Category → weights of the "fix" answers (information, workaround, data/config, code).
FIX_WEIGHTS = {
    "Cannot sign in": [7, 2, 1, 0],
    "Till or POS error": [1, 4, 2, 3],
    "Card payment declined": [1, 3, 2, 4],
    "Network outage": [0, 2, 6, 1],
    "Slow or unstable connection": [1, 3, 5, 1],
    "Payroll discrepancy": [2, 1, 6, 1],
    "E-mail problem": [5, 2, 3, 0],
    "Hardware fault": [2, 6, 2, 0],
    "Access request": [6, 0, 4, 0],
    "Data correction": [0, 1, 8, 1],
    "Software request": [6, 2, 2, 0],
}
WIDE = {"Network outage", "Card payment declined", "Till or POS error"}
PREVENTION = {
    "Cannot sign in": [
        "A self-service reset of two-factor: the article exists but the sign-in page does not "
        "link to it.",
        "Warning people a week before their password expires.",
    ],
    "Till or POS error": [
        "The till update should not roll out to every store on a Saturday morning.",
        "A health check of the tills after each update would have caught it before opening.",
    ],
    "Card payment declined": [
        "Monitoring of the terminals' connection to the acquirer: we heard it from the store.",
        "A tested fallback (offline mode) the store staff know how to switch on.",
    ],
    "Network outage": [
        "An alert from the store router would have told us before the store called.",
        "A second line at the larger stores.",
    ],
    "Slow or unstable connection": ["A bandwidth report per store, reviewed monthly."],
    "Payroll discrepancy": [
        "Validation of the hours imported from the rota: the wrong file went through unchecked.",
    ],
    "E-mail problem": ["Mailbox quota warnings that reach the person, not only IT."],
    "Hardware fault": ["Replacing the oldest scanners before they fail at the till."],
    "Access request": ["An access request form that asks for the manager's approval upfront."],
    "Data correction": ["A check on price imports: a decimal point moved and nobody noticed."],
    "Software request": ["A software catalogue people can install from themselves."],
}
ELSE = [
    "Good first answer, but the requester waited a day for the follow-up.",
    "The internal notes made the handover easy: a model for the team.",
    "Worth adding to next week's team meeting.",
    "The ticket was filed under the wrong category at first.",
]


def populate(demo: dict) -> None:
    teams, people = demo.get("teams", {}), demo.get("people", {})
    desk = teams.get("service-desk")
    if desk is None or "lead" not in people:
        return
    rng = random.Random(3301)
    questionnaire = _questionnaire()
    start, end, name = _period(demo)
    reviewers = [people[key] for key in ("agent_t1", "agent_t1b", "agent_t2") if key in people]
    scoring_round = round_create(
        actor=people["lead"],
        name=name,
        questionnaire=questionnaire,
        teams=[desk],
        period_start=start,
        period_end=end,
        sample_rule=SampleRule.PER_CATEGORY,
        sample_size=12,
        sample_order=SampleOrder.PRIORITY,
        reviewers=reviewers,
    )
    now = timezone.now()
    began = now - datetime.timedelta(days=6)
    ScoringRound.objects.filter(pk=scoring_round.pk).update(created_at=began)
    scored = _score(scoring_round, reviewers, rng, began, now)
    total = scoring_round.cases.count()
    demo["stdout"].write(
        f"  scoring: “{name}”, {total} cases for {len(reviewers)} reviewers, {scored} scored"
    )


def _questionnaire() -> Questionnaire:
    questionnaire = Questionnaire.objects.create(
        name="Quarterly case review",
        description="Each quarter, a sample of resolved tickets: what the product made people "
        "suffer, and how well support worked.",
    )
    questions = Question.objects.bulk_create(
        Question(
            questionnaire=questionnaire,
            text=text,
            help_text=help_text,
            group=group,
            order=order,
        )
        for order, (_, text, help_text, group, _) in enumerate(QUESTIONS, start=1)
    )
    Choice.objects.bulk_create(
        Choice(question=question, text=text, points=points, order=order)
        for question, spec in zip(questions, QUESTIONS, strict=True)
        for order, (text, points) in enumerate(spec[4], start=1)
    )
    return questionnaire


def _period(demo: dict) -> tuple[datetime.date, datetime.date, str]:
    """Last quarter if the demo's tickets reach back to its start, else the last 90 days."""
    today = timezone.localdate()
    start, end = last_quarter(today)
    first = Ticket.objects.order_by("created_at").values_list("created_at", flat=True).first()
    if first is not None and timezone.localdate(first) <= start:
        return start, end, f"{quarter_name(start)} case review"
    return today - datetime.timedelta(days=89), today, "Last 90 days case review"


def _score(scoring_round, reviewers, rng, began, now) -> int:
    """About two thirds of the cases, each reviewer at their own pace, answered as the
    ticket suggests. Written in bulk, with the sums the service would make."""
    questions = questions_of(scoring_round.questionnaire_id)
    by_key = {spec[0]: q for spec, q in zip(QUESTIONS, questions, strict=True)}
    pace = dict(zip([r.pk for r in reviewers], [0.85, 0.65, 0.45], strict=False))
    cases = list(
        scoring_round.cases.select_related("ticket", "category").order_by("-ticket__priority", "id")
    )
    answers, done = [], []
    for case in cases:
        if rng.random() > pace.get(case.reviewer_id, 0.6):
            continue
        scored = answers_check(questions=questions, answers=_answers(case, by_key, rng))
        for answer in scored.answers:
            answer.case = case
        answers += scored.answers
        case.product_score, case.process_score = scored.product, scored.process
        # In working hours, some day since the round began.
        day = began + (now - began) * rng.random()
        case.scored_at = min(day.replace(hour=rng.randint(8, 17), minute=rng.randint(0, 59)), now)
        done.append(case)
    ScoredCase.objects.bulk_update(done, ["product_score", "process_score", "scored_at"])
    CaseAnswer.objects.bulk_create(answers)
    return len(done)


def _pick(question, weights, rng):
    choices = list(question.choices.all())
    return rng.choices(choices, weights[: len(choices)])[0].pk


def _answers(case, q, rng) -> dict:
    ticket = case.ticket
    category = case.category.name if case.category_id else ""
    urgent = ticket.priority >= Priority.HIGH
    given = {
        q["fix"].pk: _pick(q["fix"], FIX_WEIGHTS.get(category, [4, 3, 2, 1]), rng),
        q["blocked"].pk: _pick(
            q["blocked"],
            [1, 3, 6] if urgent else [5, 4, 1] if ticket.priority > 1 else [8, 2, 0],
            rng,
        ),
        q["wider"].pk: _pick(q["wider"], [3, 3, 4] if category in WIDE else [8, 2, 1], rng),
        q["data"].pk: _pick(q["data"], [3, 2, 1] if ticket.tier > 1 else [6, 3, 1], rng),
        q["again"].pk: _pick(q["again"], [6, 3, 2] if category in WIDE else [8, 2, 1], rng),
    }
    if rng.random() < 0.6:
        given[q["prevent"].pk] = rng.choice(PREVENTION.get(category, ["A clearer article."]))
    if rng.random() < 0.2:
        given[q["else"].pk] = rng.choice(ELSE)
    return given
