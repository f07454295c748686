"""The case-scoring objects of the permission matrix's world (tests/test_permission_matrix.py):
a round of team A reviewed by the agent and the lead, and one of team B by the other agent."""

from apps.reviews.scoring.models import (
    Choice,
    Question,
    Questionnaire,
    SampleRule,
    ScoredCase,
    ScoreGroup,
    ScoringRound,
)

ABSENT = 99_999_999


def scoring_world(people: dict, tickets: dict, team_a, team_b) -> dict:
    """URL kwargs by (object kind, object) for the scoring routes."""
    questionnaire = Questionnaire.objects.create(name="Matrix review")
    question = Question.objects.create(
        questionnaire=questionnaire, text="Was the user blocked?", group=ScoreGroup.PRODUCT
    )
    Choice.objects.create(question=question, text="Yes", points=3)
    kwargs = {}

    def round_of(team, reviewers):
        scoring_round = ScoringRound.objects.create(
            name=f"{team.name} review",
            questionnaire=questionnaire,
            period_start="2026-01-01",
            period_end="2026-03-31",
            sample_rule=SampleRule.ALL,
        )
        scoring_round.teams.set([team])
        scoring_round.reviewers.set(reviewers)
        return scoring_round

    team_a_round = round_of(team_a, [people["agent"], people["lead"]])
    team_b_round = round_of(team_b, [people["other_agent"]])
    cases = {
        "own": ScoredCase.objects.create(
            round=team_a_round, ticket=tickets["own"], reviewer=people["agent"]
        ),
        "other": ScoredCase.objects.create(
            round=team_a_round, ticket=tickets["other"], reviewer=people["lead"]
        ),
        "other_team": ScoredCase.objects.create(
            round=team_b_round, ticket=tickets["other_team"], reviewer=people["other_agent"]
        ),
    }
    kwargs[("scoring_round", "own")] = {"pk": team_a_round.pk}
    kwargs[("scoring_round", "other_team")] = {"pk": team_b_round.pk}
    kwargs[("scoring_round", "absent")] = {"pk": ABSENT}
    for key, case in cases.items():
        kwargs[("scoring_case", key)] = {"pk": case.pk}
    kwargs[("scoring_case", "absent")] = {"pk": ABSENT}
    return kwargs
