"""The scoring pages from the people's side: a lead runs a round and reads its results, a
reviewer works their queue beside each ticket's history, and nobody else sees a thing."""

import pytest
from django.urls import reverse

from apps.reviews.scoring.models import CaseAnswer, ScoredCase, ScoringRound
from apps.reviews.scoring.services import case_score
from apps.tickets.models import Priority, TicketEvent

from ...conftest import signed_in
from ...factories import CategoryFactory, CommentFactory, MembershipFactory, agent_of
from .conftest import MILD, Q_END, Q_START, WORST, answers_for, draw_all, resolved

pytestmark = pytest.mark.django_db


@pytest.fixture
def scoring_round(team, lead, reviewers, questionnaire):
    for n in range(6):
        resolved(team, priority=Priority.URGENT if n == 0 else Priority.NORMAL, feature="Receipts")
    return draw_all(lead, questionnaire, [team], reviewers)


def case_url(case) -> str:
    return reverse("reviews:scoring_case", args=[case.pk])


def round_url(scoring_round) -> str:
    return reverse("reviews:scoring_round", args=[scoring_round.pk])


def form_data(questionnaire, picks, texts=None) -> dict:
    return {f"q{q}": str(c) for q, c in answers_for(questionnaire, picks, texts).items()}


# -- A lead runs a round -----------------------------------------------------------------------


def test_a_lead_runs_a_round_on_last_quarter_and_sees_the_top_cases(
    team, lead, reviewers, questionnaire, time_machine
):
    time_machine.move_to("2026-10-20 10:00Z")
    for n in range(4):
        resolved(team, category=CategoryFactory(name=f"Category {n % 2}"))
    client = signed_in(lead)
    page = client.get(reverse("reviews:scoring_round_new"))
    assert page.status_code == 200
    initial = page.context["form"].initial
    assert (initial["period_start"], initial["period_end"]) == (Q_START, Q_END)
    assert initial["name"] == "Q3 2026 case review"

    response = client.post(
        reverse("reviews:scoring_round_new"),
        {
            "name": "Q3 2026 case review",
            "questionnaire": questionnaire.pk,
            "teams": [team.pk],
            "period_start": "2026-07-01",
            "period_end": "2026-09-30",
            "sample_rule": "per_category",
            "sample_size": "1",
            "sample_order": "priority",
            "reviewers": [r.pk for r in reviewers[:2]],
        },
    )
    scoring_round = ScoringRound.objects.get()
    assert response.status_code == 302
    assert response["Location"] == round_url(scoring_round)
    assert scoring_round.cases.count() == 2

    case = scoring_round.cases.first()
    case_score(case=case, actor=lead, answers=answers_for(questionnaire, WORST))
    results = client.get(round_url(scoring_round))
    html = results.content.decode()
    assert "Highest-scoring cases" in html
    assert case.ticket.reference in html
    workspace = reverse("workspace:ticket", args=[case.ticket.reference])
    assert f'href="{workspace}"' in html  # "Open ticket" (problems do not exist yet)
    assert f'href="{workspace}#subtasks-panel"' in html
    assert reverse("kb-desk:panel-draft", args=[case.ticket.reference]) in html


def test_an_empty_period_is_refused_on_the_form(team, lead, reviewers, questionnaire):
    response = signed_in(lead).post(
        reverse("reviews:scoring_round_new"),
        {
            "name": "Nothing",
            "questionnaire": questionnaire.pk,
            "teams": [team.pk],
            "period_start": "2026-07-01",
            "period_end": "2026-09-30",
            "sample_rule": "all",
            "sample_order": "random",
            "reviewers": [reviewers[0].pk],
        },
    )
    assert response.status_code == 200
    assert "nothing to score" in response.content.decode()
    assert not ScoringRound.objects.exists()


def test_the_form_offers_a_lead_only_their_teams(team, other_team, lead, other_agent):
    form = signed_in(lead).get(reverse("reviews:scoring_round_new")).context["form"]
    assert list(form.fields["teams"].queryset) == [team]
    assert other_agent not in form.fields["reviewers"].queryset


def test_a_lead_cannot_post_a_round_of_another_team(
    team, other_team, lead, other_agent, questionnaire
):
    resolved(other_team)
    response = signed_in(lead).post(
        reverse("reviews:scoring_round_new"),
        {
            "name": "Theirs",
            "questionnaire": questionnaire.pk,
            "teams": [other_team.pk],
            "period_start": "2026-07-01",
            "period_end": "2026-09-30",
            "sample_rule": "all",
            "sample_order": "random",
            "reviewers": [other_agent.pk],
        },
    )
    assert response.status_code == 200  # the form, with the choice refused
    assert not ScoringRound.objects.exists()


# -- A reviewer scores -------------------------------------------------------------------------


def test_the_case_page_shows_the_tickets_history_beside_the_questionnaire(
    scoring_round, questionnaire
):
    case = scoring_round.cases.select_related("ticket", "reviewer").first()
    CommentFactory(ticket=case.ticket, body="The public answer to the requester.")
    CommentFactory(ticket=case.ticket, body="Checked the till logs first.", is_internal=True)
    TicketEvent.objects.create(
        ticket=case.ticket, kind="changed", changes={"priority": {"before": 2, "after": 4}}
    )
    html = signed_in(case.reviewer).get(case_url(case)).content.decode()
    assert case.ticket.description in html
    assert "The public answer to the requester." in html
    assert "Checked the till logs first." in html  # internal notes are part of the review
    assert "Urgent" in html  # the history in plain words, not codes
    assert "Was the user blocked?" in html
    assert "What would have prevented this ticket?" in html


def test_sending_the_questionnaire_scores_and_opens_the_next_case(scoring_round, questionnaire):
    reviewer = scoring_round.reviewers.order_by("pk").first()
    first, second = ScoredCase.objects.filter(reviewer=reviewer).order_by("pk")[:2]
    response = signed_in(reviewer).post(
        case_url(first), form_data(questionnaire, WORST, {5: "Monitoring"})
    )
    first.refresh_from_db()
    assert (first.product_score, first.process_score) == (14, 5)
    assert response.status_code == 302
    assert response["Location"] == case_url(second)


def test_a_missing_answer_comes_back_beside_its_question(scoring_round, questionnaire):
    case = scoring_round.cases.select_related("reviewer").first()
    data = form_data(questionnaire, {k: v for k, v in WORST.items() if k != 1})
    response = signed_in(case.reviewer).post(case_url(case), data)
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {f"q{questionnaire.questions.get(order=1).pk}"}
    case.refresh_from_db()
    assert case.scored_at is None


def test_a_choice_of_another_question_is_refused_by_the_page(scoring_round, questionnaire):
    case = scoring_round.cases.select_related("reviewer").first()
    data = form_data(questionnaire, WORST)
    other = answers_for(questionnaire, {0: "Code change"})
    data[f"q{questionnaire.questions.get(order=1).pk}"] = str(next(iter(other.values())))
    response = signed_in(case.reviewer).post(case_url(case), data)
    assert response.status_code == 200
    assert not CaseAnswer.objects.exists()


def test_the_queue_holds_only_the_reviewers_cases_unscored_first(scoring_round, questionnaire):
    reviewer = scoring_round.reviewers.order_by("pk").first()
    mine = list(ScoredCase.objects.filter(reviewer=reviewer).order_by("pk"))
    case_score(case=mine[0], actor=reviewer, answers=answers_for(questionnaire, MILD))
    page = signed_in(reviewer).get(reverse("reviews:scoring_queue"))
    listed = list(page.context["page"].object_list)
    assert {c.pk for c in listed} == {c.pk for c in mine}
    assert listed[-1].pk == mine[0].pk  # the scored one last
    others = ScoredCase.objects.exclude(reviewer=reviewer).select_related("ticket")
    html = page.content.decode()
    assert all(c.ticket.reference not in html for c in others)


# -- Who sees what -----------------------------------------------------------------------------


def test_a_reviewer_cannot_open_or_score_another_reviewers_case(scoring_round, questionnaire):
    reviewer = scoring_round.reviewers.order_by("pk").first()
    theirs = ScoredCase.objects.exclude(reviewer=reviewer).first()
    client = signed_in(reviewer)
    assert client.get(case_url(theirs)).status_code == 404
    assert client.post(case_url(theirs), form_data(questionnaire, WORST)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.scored_at is None
    assert not CaseAnswer.objects.exists()


def test_a_reviewer_moved_to_another_team_no_longer_reads_their_cases(
    scoring_round, questionnaire, team, other_team
):
    """A case shows the ticket's internal notes: they were the reviewer's to read as a member
    of the round's team. Moved to another team, they keep a seat but not that view."""
    reviewer = scoring_round.reviewers.order_by("pk").first()
    mine = ScoredCase.objects.filter(reviewer=reviewer).select_related("ticket").first()
    client = signed_in(reviewer)
    assert client.get(case_url(mine)).status_code == 200

    reviewer.team_memberships.filter(team=team).delete()
    MembershipFactory(user=reviewer, team=other_team)

    assert client.get(case_url(mine)).status_code == 404
    assert client.post(case_url(mine), form_data(questionnaire, WORST)).status_code == 404
    assert client.get(round_url(scoring_round)).status_code == 404
    queue = client.get(reverse("reviews:scoring_queue"))
    assert mine.ticket.reference not in queue.content.decode()
    assert list(client.get(reverse("reviews:scoring_rounds")).context["rounds"]) == []


def test_a_reviewer_sees_the_rounds_progress_but_not_its_results(scoring_round, questionnaire):
    reviewer = scoring_round.reviewers.order_by("pk").first()
    theirs = ScoredCase.objects.exclude(reviewer=reviewer).select_related("ticket", "round")
    case_score(
        case=theirs[0], actor=theirs[0].round.created_by, answers=answers_for(questionnaire, WORST)
    )
    client = signed_in(reviewer)
    page = client.get(round_url(scoring_round))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Progress: 1 of 6 cases scored" in html
    assert "Highest-scoring" not in html
    assert all(c.ticket.reference not in html for c in theirs)
    csv_url = reverse("reviews:scoring_round_csv", args=[scoring_round.pk])
    assert client.get(csv_url).status_code == 404


def test_a_requester_or_an_agent_of_another_team_sees_nothing(
    scoring_round, requester, other_agent, agent
):
    case = scoring_round.cases.first()
    urls = [
        case_url(case),
        round_url(scoring_round),
        reverse("reviews:scoring_round_csv", args=[scoring_round.pk]),
    ]
    for person in (requester, other_agent, agent):  # agent: of the team, but no reviewer
        client = signed_in(person)
        for url in urls:
            assert client.get(url).status_code == 404, (person, url)
    requester_client = signed_in(requester)
    assert requester_client.get(reverse("reviews:scoring_queue")).status_code == 404
    assert requester_client.get(reverse("reviews:scoring_rounds")).status_code == 404
    assert requester_client.get(reverse("reviews:scoring_round_new")).status_code == 404
    assert signed_in(agent).get(reverse("reviews:scoring_round_new")).status_code == 404
    assert list(signed_in(agent).get(reverse("reviews:scoring_rounds")).context["rounds"]) == []


def test_the_lead_of_another_team_does_not_see_the_round(scoring_round, other_team):
    stranger = agent_of(other_team, email="netlead@example.com", lead=True)
    client = signed_in(stranger)
    assert client.get(round_url(scoring_round)).status_code == 404
    assert list(client.get(reverse("reviews:scoring_rounds")).context["rounds"]) == []


def test_the_csv_is_a_download_for_the_lead(scoring_round, lead):
    response = signed_in(lead).get(reverse("reviews:scoring_round_csv", args=[scoring_round.pk]))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    lines = b"".join(response.streaming_content).decode().strip().splitlines()
    assert len(lines) == 1 + 6


# -- Query counts ------------------------------------------------------------------------------


def _queries(client, url, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_queue_and_results_cost_the_same_for_few_or_many_cases(
    team, lead, reviewers, questionnaire, django_assert_max_num_queries
):
    reviewer = reviewers[0]
    counts = []
    for size in (2, 30):
        for _ in range(size):
            resolved(team, feature="Receipts")
        ScoredCase.objects.all().delete()
        ScoringRound.objects.all().delete()
        scoring_round = draw_all(lead, questionnaire, [team], [reviewer])
        for case in scoring_round.cases.all()[: size // 2]:
            case_score(case=case, actor=lead, answers=answers_for(questionnaire, WORST, {5: "x"}))
        counts.append(
            (
                _queries(signed_in(reviewer), reverse("reviews:scoring_queue"),
                         django_assert_max_num_queries, 12),
                _queries(signed_in(lead), round_url(scoring_round),
                         django_assert_max_num_queries, 20),
                _queries(signed_in(lead), reverse("reviews:scoring_rounds"),
                         django_assert_max_num_queries, 12),
            )
        )  # fmt: skip
    assert counts[0] == counts[1], counts


def test_the_case_page_costs_the_same_for_a_short_or_long_history(
    scoring_round, django_assert_max_num_queries
):
    short, long = scoring_round.cases.select_related("ticket", "reviewer")[:2]
    CommentFactory(ticket=short.ticket)  # a thread at all costs its attachments' query
    TicketEvent.objects.create(ticket=short.ticket, kind="note_added")
    for n in range(25):
        CommentFactory(ticket=long.ticket, is_internal=bool(n % 2))
        TicketEvent.objects.create(ticket=long.ticket, kind="note_added")
    client = signed_in(short.reviewer)
    few = _queries(client, case_url(short), django_assert_max_num_queries, 20)
    many = _queries(signed_in(long.reviewer), case_url(long), django_assert_max_num_queries, 20)
    assert few == many


def test_the_rounds_list_shows_a_reviewer_their_share_and_a_lead_every_round_of_their_team(
    scoring_round, lead, questionnaire
):
    reviewer = scoring_round.reviewers.order_by("pk").first()
    mine = ScoredCase.objects.filter(reviewer=reviewer)
    case_score(case=mine.first(), actor=reviewer, answers=answers_for(questionnaire, MILD))

    listed = list(signed_in(reviewer).get(reverse("reviews:scoring_rounds")).context["rounds"])
    assert [r.pk for r in listed] == [scoring_round.pk]
    assert (listed[0].my_cases, listed[0].my_scored) == (mine.count(), 1)
    assert (listed[0].case_count, listed[0].scored_count) == (6, 1)

    page = signed_in(lead).get(reverse("reviews:scoring_rounds"))
    assert [r.pk for r in page.context["rounds"]] == [scoring_round.pk]
    assert page.context["can_run"]
