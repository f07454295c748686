"""A reviewer scores a case: every scored question answered with one of its own choices, the
points summed per group, free text kept; only the case's reviewer (or a lead, an admin)."""

import pytest
import time_machine

from apps.accounts.models import User
from apps.core.errors import ApplicationError
from apps.reviews.scoring.models import (
    CaseAnswer,
    Question,
    Questionnaire,
    SampleOrder,
    SampleRule,
    ScoredCase,
)
from apps.reviews.scoring.services import case_score, round_create

from ...factories import agent_of
from .conftest import MILD, Q_END, Q_START, WORST, answers_for, choice, resolved

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(team, lead, reviewers, questionnaire):
    resolved(team)
    scoring_round = round_create(
        actor=lead,
        name="Q3",
        questionnaire=questionnaire,
        teams=[team],
        period_start=Q_START,
        period_end=Q_END,
        sample_rule=SampleRule.ALL,
        sample_size=None,
        sample_order=SampleOrder.RANDOM,
        reviewers=reviewers[:1],
    )
    return scoring_round.cases.select_related("round", "reviewer").get()


def test_scoring_sums_the_points_of_each_group(case, questionnaire):
    answers = answers_for(questionnaire, WORST, {5: "A status page for the POS rollout."})
    with time_machine.travel("2026-10-14 09:30Z", tick=False):
        case_score(case=case, actor=case.reviewer, answers=answers)

    case.refresh_from_db()
    assert (case.product_score, case.process_score) == (5 + 5 + 4, 3 + 2)
    assert case.total == 19
    assert case.scored_at.isoformat() == "2026-10-14T09:30:00+00:00"
    texts = CaseAnswer.objects.filter(case=case).exclude(text="")
    assert [a.text for a in texts] == ["A status page for the POS rollout."]
    assert CaseAnswer.objects.filter(case=case).count() == 6  # 5 choices + 1 text (blank left out)


def test_negative_points_count_against_the_group(case, questionnaire):
    case_score(case=case, actor=case.reviewer, answers=answers_for(questionnaire, MILD))
    case.refresh_from_db()
    assert (case.product_score, case.process_score) == (2, -1)


def test_scoring_again_replaces_the_answers(case, questionnaire):
    case_score(
        case=case,
        actor=case.reviewer,
        answers=answers_for(questionnaire, WORST, {6: "First thoughts"}),
    )
    case_score(case=case, actor=case.reviewer, answers=answers_for(questionnaire, MILD))

    case.refresh_from_db()
    assert (case.product_score, case.process_score) == (2, -1)
    stored = CaseAnswer.objects.filter(case=case)
    assert stored.count() == 5
    assert not stored.exclude(text="").exists()  # the old free text is gone with the rest


def test_form_values_as_strings_are_read(case, questionnaire):
    answers = {str(q): str(c) for q, c in answers_for(questionnaire, WORST).items()}
    case_score(case=case, actor=case.reviewer, answers=answers)
    case.refresh_from_db()
    assert case.product_score == 14


def test_a_missing_answer_is_refused_naming_the_question(case, questionnaire):
    answers = answers_for(questionnaire, {k: v for k, v in WORST.items() if k != 1})
    with pytest.raises(ApplicationError) as refused:
        case_score(case=case, actor=case.reviewer, answers=answers)
    assert "Was the user blocked?" in refused.value.message
    blocked = Question.objects.get(questionnaire=questionnaire, order=1)
    assert refused.value.field == f"q{blocked.pk}"
    case.refresh_from_db()
    assert case.scored_at is None
    assert not CaseAnswer.objects.exists()


def test_a_choice_of_another_question_is_refused(case, questionnaire):
    answers = answers_for(questionnaire, WORST)
    blocked = Question.objects.get(questionnaire=questionnaire, order=1)
    # "Code change" (5 points) belongs to question 0: offered as the answer to question 1.
    answers[blocked.pk] = choice(questionnaire, 0, "Code change").pk
    with pytest.raises(ApplicationError) as refused:
        case_score(case=case, actor=case.reviewer, answers=answers)
    assert "Was the user blocked?" in refused.value.message
    assert not ScoredCase.objects.exclude(scored_at=None).exists()


def test_a_question_of_another_questionnaire_is_refused(case, questionnaire):
    elsewhere = Question.objects.create(
        questionnaire=Questionnaire.objects.create(name="Other"), text="?", group="free_text"
    )
    answers = answers_for(questionnaire, WORST) | {elsewhere.pk: "sneaked in"}
    with pytest.raises(ApplicationError):
        case_score(case=case, actor=case.reviewer, answers=answers)
    assert not CaseAnswer.objects.exists()


def test_only_the_reviewer_scores_their_case(case, questionnaire, reviewers, agent, other_agent):
    answers = answers_for(questionnaire, WORST)
    for intruder in (reviewers[1], agent, other_agent):
        with pytest.raises(ApplicationError) as refused:
            case_score(case=case, actor=intruder, answers=answers)
        assert refused.value.code == "forbidden"
    assert not CaseAnswer.objects.exists()


def test_a_lead_of_the_team_or_an_admin_may_step_in(case, questionnaire, lead, admin_user):
    answers = answers_for(questionnaire, WORST)
    case_score(case=case, actor=lead, answers=answers)
    case_score(case=case, actor=admin_user, answers=answers_for(questionnaire, MILD))
    case.refresh_from_db()
    assert case.product_score == 2


def test_a_lead_of_another_team_may_not(case, questionnaire, other_team):
    stranger = agent_of(other_team, email="otherlead@example.com", lead=True)
    with pytest.raises(ApplicationError):
        case_score(case=case, actor=stranger, answers=answers_for(questionnaire, WORST))


def test_a_reviewer_who_left_support_may_no_longer_score(case, questionnaire):
    case.reviewer.team_memberships.all().delete()
    gone = User.objects.get(pk=case.reviewer_id)
    with pytest.raises(ApplicationError):
        case_score(case=case, actor=gone, answers=answers_for(questionnaire, WORST))
