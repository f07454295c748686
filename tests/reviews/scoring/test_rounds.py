"""A lead draws a scoring round: which tickets are sampled, who gets which, and what is refused."""

import datetime
from collections import Counter

import pytest

from apps.accounts.models import Membership, User
from apps.core.errors import ApplicationError
from apps.reviews.scoring.models import (
    Questionnaire,
    SampleOrder,
    SampleRule,
    ScoredCase,
    ScoringRound,
)
from apps.tickets.models import Priority, Status

from ...factories import CategoryFactory, TeamFactory, TicketFactory, agent_of
from .conftest import Q_END, Q_START, at, resolved
from .conftest import draw_all as draw

pytestmark = pytest.mark.django_db


def tickets_of(scoring_round) -> set[int]:
    return set(scoring_round.cases.values_list("ticket_id", flat=True))


# -- What is sampled ---------------------------------------------------------------------------


def test_all_takes_every_ticket_resolved_in_the_period_of_the_teams_and_nothing_else(
    team, other_team, lead, reviewers, questionnaire
):
    inside = [
        resolved(team, day=Q_START),
        resolved(team, day=Q_END),
        resolved(team, status=Status.CLOSED),  # closed since: resolved all the same
    ]
    resolved(team, day=Q_START - datetime.timedelta(days=1))  # before
    resolved(team, day=Q_END + datetime.timedelta(days=1))  # after
    resolved(other_team)  # another team's
    TicketFactory(team=team, status=Status.OPEN)  # not resolved
    # Resolved in the period once, reopened since: not a finished case.
    TicketFactory(team=team, status=Status.OPEN, resolved_at=at(datetime.date(2026, 8, 1)))

    scoring_round = draw(lead, questionnaire, [team], reviewers)

    assert tickets_of(scoring_round) == {t.pk for t in inside}
    assert scoring_round.sample_size is None
    assert list(scoring_round.teams.all()) == [team]
    assert scoring_round.created_by == lead


def test_the_period_is_in_business_days_of_the_desk_time_zone(
    settings, team, lead, reviewers, questionnaire
):
    settings.TIME_ZONE = "Europe/Paris"  # UTC+2 in summer
    # 23:30 in Paris on the last day is 21:30 UTC: inside. 00:30 on the first day is the day
    # before in UTC: inside too. 23:30 the day before the period: outside.
    late = resolved(team, day=Q_END, hour=23)
    early = resolved(team, day=Q_START, hour=0)
    resolved(team, day=Q_START - datetime.timedelta(days=1), hour=23)
    resolved(team, day=Q_END + datetime.timedelta(days=1), hour=0)

    scoring_round = draw(lead, questionnaire, [team], reviewers)

    assert tickets_of(scoring_round) == {late.pk, early.pk}


def test_n_per_team_takes_at_most_n_of_each_team(team, other_team, reviewers, questionnaire):
    both = agent_of(team, email="both@example.com", lead=True)
    Membership.objects.create(user=both, team=other_team, is_lead=True)
    both = User.objects.get(pk=both.pk)
    ours = [resolved(team) for _ in range(7)]
    theirs = [resolved(other_team) for _ in range(2)]

    scoring_round = draw(
        both,
        questionnaire,
        [team, other_team],
        reviewers,
        sample_rule=SampleRule.PER_TEAM,
        sample_size=4,
    )

    drawn = tickets_of(scoring_round)
    assert len(drawn & {t.pk for t in ours}) == 4
    assert drawn >= {t.pk for t in theirs}  # fewer than n: all of them
    assert len(drawn) == 6


def test_n_per_category_counts_tickets_without_category_as_a_group(
    team, lead, reviewers, questionnaire
):
    signin, payments = CategoryFactory(name="Cannot sign in"), CategoryFactory(name="Payments")
    for _ in range(5):
        resolved(team, category=signin)
    for _ in range(3):
        resolved(team, category=payments)
    loose = [TicketFactory(team=team, category=None, status=Status.RESOLVED,
                           resolved_at=at(datetime.date(2026, 8, 3))) for _ in range(4)]  # fmt: skip

    scoring_round = draw(
        lead, questionnaire, [team], reviewers, sample_rule=SampleRule.PER_CATEGORY, sample_size=2
    )

    by_category = Counter(scoring_round.cases.values_list("category__name", flat=True))
    assert by_category == {"Cannot sign in": 2, "Payments": 2, None: 2}
    assert len(tickets_of(scoring_round) & {t.pk for t in loose}) == 2


def test_highest_priority_first_takes_the_most_urgent_then_the_most_recently_resolved(
    team, lead, reviewers, questionnaire
):
    urgent = resolved(team, priority=Priority.URGENT, day=datetime.date(2026, 7, 2))
    high_new = resolved(team, priority=Priority.HIGH, day=datetime.date(2026, 9, 20))
    resolved(team, priority=Priority.HIGH, day=datetime.date(2026, 7, 20))  # older: left out
    for _ in range(5):
        resolved(team, priority=Priority.LOW, day=datetime.date(2026, 9, 29))

    scoring_round = draw(
        lead,
        questionnaire,
        [team],
        reviewers,
        sample_rule=SampleRule.PER_TEAM,
        sample_size=2,
        sample_order=SampleOrder.PRIORITY,
    )

    assert tickets_of(scoring_round) == {urgent.pk, high_new.pk}
    # The cases are stored in that order too (the queue and export read them so).
    assert list(scoring_round.cases.order_by("id").values_list("ticket_id", flat=True)) == [
        urgent.pk,
        high_new.pk,
    ]


def test_a_random_sample_has_the_size_asked_and_varies(team, lead, reviewers, questionnaire):
    tickets = {resolved(team).pk for _ in range(30)}
    samples = []
    for n in range(6):
        scoring_round = draw(
            lead,
            questionnaire,
            [team],
            reviewers,
            name=f"Draw {n}",
            sample_rule=SampleRule.PER_TEAM,
            sample_size=5,
        )
        drawn = tickets_of(scoring_round)
        assert len(drawn) == 5
        assert drawn <= tickets
        samples.append(frozenset(drawn))
    # Six draws of 5 out of 30 all alike would happen once in ~10^25.
    assert len(set(samples)) > 1


def test_the_feature_and_category_are_copied_from_the_ticket(team, lead, reviewers, questionnaire):
    pos = CategoryFactory(name="Till or POS error")
    classified = resolved(team, category=pos, feature="Receipt printing")
    plain = resolved(team, category=pos)

    scoring_round = draw(lead, questionnaire, [team], reviewers)

    cases = {c.ticket_id: c for c in scoring_round.cases.all()}
    assert (cases[classified.pk].feature, cases[classified.pk].category) == (
        "Receipt printing",
        pos,
    )
    assert (cases[plain.pk].feature, cases[plain.pk].category) == ("", pos)


# -- Who gets which ----------------------------------------------------------------------------


def test_cases_are_shared_evenly(team, lead, reviewers, questionnaire):
    for _ in range(11):
        resolved(team)

    scoring_round = draw(lead, questionnaire, [team], reviewers)

    loads = Counter(scoring_round.cases.values_list("reviewer_id", flat=True))
    assert sorted(loads.values()) == [3, 4, 4]
    assert set(loads) == {r.pk for r in reviewers}


def test_nobody_reviews_a_ticket_they_worked_while_someone_else_has_room(
    team, lead, reviewers, questionnaire
):
    a, b, c = reviewers
    # Each reviewer handled three tickets (as assignee, or as holder across tiers).
    for person in (a, b):
        for _ in range(3):
            resolved(team, assignee=person)
    for _ in range(3):
        resolved(team, holder=c, assignee=None)

    scoring_round = draw(lead, questionnaire, [team], reviewers)

    cases = scoring_round.cases.select_related("ticket")
    assert sorted(Counter(c.reviewer_id for c in cases).values()) == [3, 3, 3]
    own = [c for c in cases if c.reviewer_id in (c.ticket.assignee_id, c.ticket.holder_id)]
    assert own == []


def test_a_reviewer_who_handled_everything_still_gets_an_even_share(
    team, lead, reviewers, questionnaire
):
    """Evenness first: the one who worked every ticket gets their own only for want of room."""
    a = reviewers[0]
    for _ in range(6):
        resolved(team, assignee=a)

    scoring_round = draw(lead, questionnaire, [team], reviewers)

    assert sorted(Counter(scoring_round.cases.values_list("reviewer_id", flat=True)).values()) == [
        2,
        2,
        2,
    ]


def test_a_ticket_worked_by_two_reviewers_goes_to_the_third(team, lead, reviewers, questionnaire):
    a, b, c = reviewers
    ticket = resolved(team, assignee=a, holder=b)

    scoring_round = draw(lead, questionnaire, [team], reviewers)

    assert scoring_round.cases.get(ticket=ticket).reviewer == c


# -- What is refused ---------------------------------------------------------------------------


def test_an_agent_may_not_run_a_round(team, agent, reviewers, questionnaire):
    resolved(team)
    with pytest.raises(ApplicationError) as refused:
        draw(agent, questionnaire, [team], reviewers)
    assert refused.value.code == "forbidden"
    assert not ScoredCase.objects.exists()


def test_a_lead_may_not_draw_from_a_team_they_do_not_lead(
    team, other_team, lead, reviewers, questionnaire
):
    resolved(other_team)
    with pytest.raises(ApplicationError, match="lead of every chosen team"):
        draw(lead, questionnaire, [team, other_team], reviewers)


def test_an_admin_may_run_a_round_on_any_team(team, admin_user, reviewers, questionnaire):
    resolved(team)
    assert draw(admin_user, questionnaire, [team], reviewers).cases.count() == 1


def test_a_period_with_nothing_resolved_is_refused_with_a_clear_message(
    team, lead, reviewers, questionnaire
):
    resolved(team, day=datetime.date(2026, 1, 5))
    with pytest.raises(ApplicationError) as refused:
        draw(lead, questionnaire, [team], reviewers)
    assert "nothing to score" in refused.value.message
    assert "Service Desk" in refused.value.message
    assert not ScoringRound.objects.exists()  # no empty round left behind


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"period_start": Q_END, "period_end": Q_START}, "period_end"),
        ({"sample_rule": SampleRule.PER_CATEGORY, "sample_size": None}, "sample_size"),
        ({"sample_rule": SampleRule.PER_TEAM, "sample_size": 0}, "sample_size"),
        ({"reviewers": []}, "reviewers"),
        ({"teams": []}, "teams"),
        ({"name": "  "}, "name"),
        ({"sample_rule": "everything"}, "sample_rule"),
    ],
)
def test_an_ill_formed_round_is_refused(team, lead, reviewers, questionnaire, overrides, field):
    resolved(team)
    fields = {"teams": [team], "reviewers": reviewers} | overrides
    with pytest.raises(ApplicationError) as refused:
        draw(lead, questionnaire, fields.pop("teams"), fields.pop("reviewers"), **fields)
    assert refused.value.field == field


def test_reviewers_must_be_agents_of_the_chosen_teams(
    team, lead, reviewers, other_agent, requester, questionnaire
):
    resolved(team)
    for stranger in (other_agent, requester):
        with pytest.raises(ApplicationError) as refused:
            draw(lead, questionnaire, [team], [*reviewers, stranger])
        assert refused.value.field == "reviewers"
        assert str(stranger) in refused.value.message


def test_a_questionnaire_without_questions_is_refused(team, lead, reviewers):
    resolved(team)
    empty = Questionnaire.objects.create(name="Blank")
    with pytest.raises(ApplicationError) as refused:
        draw(lead, empty, [team], reviewers)
    assert refused.value.field == "questionnaire"


def test_a_team_with_a_former_lead_cannot_be_drawn_by_them(team, reviewers, questionnaire):
    former = agent_of(team, email="former@example.com", lead=True)
    former.team_memberships.update(is_lead=False)
    resolved(team)
    with pytest.raises(ApplicationError):
        draw(User.objects.get(pk=former.pk), questionnaire, [team], reviewers)


def test_teams_named_in_a_refusal_are_the_chosen_ones(lead, reviewers, questionnaire, team):
    TeamFactory(name="Unrelated", slug="unrelated")
    with pytest.raises(ApplicationError) as refused:
        draw(lead, questionnaire, [team], reviewers)
    assert "Unrelated" not in refused.value.message
