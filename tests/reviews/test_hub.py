"""/reviews/ sends each person to the reviews they take part in, and shows no one else's."""

from apps.reviews.mentoring.services import pairing_create
from tests.conftest import signed_in
from tests.factories import agent_of

from .scoring.conftest import draw_all, questionnaire, resolved  # noqa: F401 (a fixture)


def _cards(user) -> str:
    answer = signed_in(user).get("/reviews/")
    assert answer.status_code == 200
    return answer.content.decode()


def test_a_reviewer_finds_their_cases_waiting_and_a_tech_their_week(
    team,
    lead,
    questionnaire,  # noqa: F811
):
    reviewer = agent_of(team, email="rev@example.com", full_name="Rita Reviewer")
    tech = agent_of(team, email="tech@example.com", full_name="Teo Tech")
    resolved(team)
    resolved(team)
    draw_all(lead, questionnaire, [team], [reviewer])
    pairing_create(actor=lead, team=team, sponsor=reviewer, techs=[tech])

    page = _cards(reviewer)
    assert "Case scoring" in page
    assert "2 waiting" in page
    assert "Mentor review" in page
    assert "Kudos" in page
    assert "New round" not in page
    assert "Pairings" not in page

    page = _cards(tech)
    assert "My week" in page
    assert "Case scoring" not in page
    assert "Mentor review" not in page

    page = _cards(lead)
    for offered in ("Case scoring", "New round", "Mentor review", "Pairings", "Kudos"):
        assert offered in page


def test_an_agent_with_nothing_to_review_is_told_so(agent):
    assert "Nothing to review for you yet" in _cards(agent)


def test_the_hub_is_in_the_agents_navigation_and_not_the_requesters(agent, requester):
    assert 'href="/reviews/"' in signed_in(agent).get("/desk/").content.decode()
    assert signed_in(requester).get("/reviews/").status_code == 404
