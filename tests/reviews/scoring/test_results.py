"""What a round found: its top and most severe cases, averages by feature and category, the
free-text answers, each reviewer's progress, and the CSV (safe to open in a spreadsheet)."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.reviews.scoring.selectors import round_csv_rows, round_results
from apps.reviews.scoring.services import case_score
from apps.tickets.models import Priority

from ...factories import CategoryFactory
from .conftest import MILD, WORST, answers_for, draw_all, resolved

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(team, lead, reviewers, questionnaire):
    """Five cases: four scored (totals 19, 10, 1, 5), one not."""
    till, signin = CategoryFactory(name="Till or POS error"), CategoryFactory(name="Cannot sign in")
    tickets = {
        "worst": resolved(team, priority=Priority.URGENT, category=till, feature="Receipts",
                          subject="=HYPERLINK(\"http://evil.example\",\"click\")"),
        "blocked": resolved(team, priority=Priority.LOW, category=till, feature="Receipts"),
        "mild": resolved(team, priority=Priority.HIGH, category=signin, feature="2FA"),
        "process": resolved(team, priority=Priority.HIGH, category=signin, feature="2FA"),
        "unscored": resolved(team, priority=Priority.URGENT, category=signin),
    }  # fmt: skip
    scoring_round = draw_all(lead, questionnaire, [team], reviewers)
    cases = {key: scoring_round.cases.get(ticket=t) for key, t in tickets.items()}
    picks = {
        "worst": (WORST, {5: "+1 for monitoring the tills", 6: "@SUM(A1:A9)"}),
        "blocked": ({0: "Code change", 1: "Blocked", 2: "No", 3: "At once", 4: "No"}, {}),
        "mild": (MILD, {5: "A clearer sign-in page"}),
        "process": ({0: "Information", 1: "No", 2: "No", 3: "Needed data", 4: "Yes"}, {}),
    }
    for key, (chosen, texts) in picks.items():
        case_score(case=cases[key], actor=lead, answers=answers_for(questionnaire, chosen, texts))
    return scoring_round, cases


def refs(cases) -> list[int]:
    return [case.pk for case in cases]


def test_highest_scoring_cases_come_first_and_unscored_ones_are_left_out(desk):
    scoring_round, cases = desk
    results = round_results(scoring_round)
    assert refs(results.top) == [cases[k].pk for k in ("worst", "blocked", "process", "mild")]
    assert [c.total_score for c in results.top] == [19, 10, 5, 1]


def test_most_severe_is_priority_first_then_product_score(desk):
    scoring_round, cases = desk
    results = round_results(scoring_round)
    # Urgent (product 14), then the two high ones by product score (2 before 0), then low.
    assert refs(results.severe) == [cases[k].pk for k in ("worst", "mild", "process", "blocked")]


def test_averages_and_counts_by_feature_and_by_category(desk):
    scoring_round, _ = desk
    results = round_results(scoring_round)
    features = {g.label: g for g in results.by_feature}
    assert [g.label for g in results.by_feature] == ["Receipts", "2FA", "(no feature)"]
    receipts = features["Receipts"]
    assert (receipts.cases, receipts.scored) == (2, 2)
    assert (receipts.product, receipts.process, receipts.total) == (12, 2.5, 14.5)
    assert (features["2FA"].product, features["2FA"].process, features["2FA"].total) == (1, 2, 3)
    nothing = features["(no feature)"]
    assert (nothing.cases, nothing.scored, nothing.total) == (1, 0, None)

    categories = {g.label: g for g in results.by_category}
    assert (categories["Till or POS error"].cases, categories["Till or POS error"].total) == (
        2,
        14.5,
    )
    signin = categories["Cannot sign in"]
    assert (signin.cases, signin.scored, signin.total) == (3, 2, 3)


def test_free_text_answers_are_gathered_per_question(desk):
    scoring_round, _ = desk
    results = round_results(scoring_round)
    by_question = {
        block.question.text: [a.text for a in block.answers] for block in results.free_text
    }
    assert sorted(by_question["What would have prevented this ticket?"]) == [
        "+1 for monitoring the tills",
        "A clearer sign-in page",
    ]
    assert by_question["Anything else?"] == ["@SUM(A1:A9)"]


def test_progress_counts_each_reviewers_scored_and_total_cases(desk):
    scoring_round, cases = desk
    results = round_results(scoring_round)
    assert (results.scored, results.total) == (4, 5)
    assert sum(p.total for p in results.progress) == 5
    unscored_reviewer = cases["unscored"].reviewer_id
    row = next(p for p in results.progress if p.reviewer.pk == unscored_reviewer)
    assert row.scored == row.total - 1


def test_results_cost_the_same_queries_for_4_cases_or_40(
    team, lead, reviewers, questionnaire, desk
):
    small, _ = desk
    with CaptureQueriesContext(connection) as few:
        round_results(small)
    for _ in range(36):
        resolved(team, feature="Receipts")
    big = draw_all(lead, questionnaire, [team], reviewers, name="Bigger")
    for case in big.cases.all()[:30]:
        case_score(case=case, actor=lead, answers=answers_for(questionnaire, WORST, {5: "x"}))
    with CaptureQueriesContext(connection) as many:
        results = round_results(big)
    assert big.cases.count() == 41
    assert len(results.top) == 10
    assert len(many) == len(few) <= 10


def _csv(scoring_round) -> list[list[str]]:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(round_csv_rows(scoring_round))
    return list(csv.reader(io.StringIO(buffer.getvalue())))


def test_the_csv_holds_every_case_with_scores_and_answers(desk):
    scoring_round, cases = desk
    header, *rows = _csv(scoring_round)
    assert header[:14] == [
        "reference", "subject", "team", "category", "product feature", "priority", "status",
        "resolved", "assignee", "reviewer", "scored", "product score", "process score", "total",
    ]  # fmt: skip
    assert header[14:] == [q.text for q in scoring_round.questionnaire.questions.order_by("order")]
    assert len(rows) == 5
    by_ref = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    worst = by_ref[cases["worst"].ticket.reference]
    assert worst["category"] == "Till or POS error"
    assert worst["product feature"] == "Receipts"
    assert worst["priority"] == "Urgent"
    assert (worst["product score"], worst["process score"], worst["total"]) == ("14", "5", "19")
    assert worst["Was the user blocked?"] == "Blocked"
    mild = by_ref[cases["mild"].ticket.reference]
    assert mild["process score"] == "-1"  # a number, not text
    unscored = by_ref[cases["unscored"].ticket.reference]
    assert (unscored["scored"], unscored["total"], unscored["Was the user blocked?"]) == (
        "",
        "",
        "",
    )


def test_the_csv_runs_no_formula_a_ticket_or_an_answer_smuggles_in(desk):
    scoring_round, cases = desk
    header, *rows = _csv(scoring_round)
    worst = dict(
        zip(header, next(r for r in rows if r[0] == cases["worst"].ticket.reference), strict=True)
    )
    assert worst["subject"].startswith("'=HYPERLINK")
    assert worst["What would have prevented this ticket?"] == "'+1 for monitoring the tills"
    assert worst["Anything else?"] == "'@SUM(A1:A9)"
    formulas = [cell for row in rows for cell in row if cell[:1] in "=+@" and cell]
    assert formulas == []
