"""Case scoring: the writes (drawing a round, scoring a case)."""

import datetime
import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import CharField, F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.accounts.models import Membership, Team, User
from apps.core.errors import ApplicationError
from apps.core.numbers import as_id
from apps.tickets.models import Status, Ticket

from .models import (
    CaseAnswer,
    Question,
    Questionnaire,
    SampleOrder,
    SampleRule,
    ScoredCase,
    ScoreGroup,
    ScoringRound,
)
from .permissions import leads_every, may_score

DONE_STATUSES = (Status.RESOLVED, Status.CLOSED)
MAX_TEXT = 5000


def period_bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, ...]:
    """[start of the first day, start of the day after the last) in the desk's time zone
    (settings.TIME_ZONE): a round of "October" is October where the desk works."""
    zone = timezone.get_default_timezone()
    first = datetime.datetime.combine(start, datetime.time.min, tzinfo=zone)
    after = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min)
    return first, after.replace(tzinfo=zone)


@dataclass(frozen=True)
class _Drawn:
    """A ticket as the draw needs it (one values() row, no model instances)."""

    pk: int
    team_id: int | None
    category_id: int | None
    priority: int
    resolved_at: datetime.datetime
    assignee_id: int | None
    holder_id: int | None
    feature: str


def _candidates(team_ids: Sequence[int], start: datetime.date, end: datetime.date) -> list:
    first, after = period_bounds(start, end)
    rows = (
        Ticket.objects.filter(
            team_id__in=team_ids,
            status__in=DONE_STATUSES,
            resolved_at__gte=first,
            resolved_at__lt=after,
        )
        # The owning team's classification (apps.routing), read through the ORM relation:
        # reviews may not import routing, and a ticket without one has no feature.
        .annotate(
            feature_name=Coalesce(F("classification__feature"), Value(""), output_field=CharField())
        )
        .values_list(
            "pk",
            "team_id",
            "category_id",
            "priority",
            "resolved_at",
            "assignee_id",
            "holder_id",
            "feature_name",
        )
    )
    return [_Drawn(*row) for row in rows]


def _by_priority(tickets: Iterable[_Drawn]) -> list[_Drawn]:
    """Highest priority first; of the same priority, the most recently resolved."""
    return sorted(tickets, key=lambda t: (-t.priority, -t.resolved_at.timestamp(), -t.pk))


def sample_draw(
    tickets: list[_Drawn], *, rule: str, size: int | None, order: str, rng=random
) -> list[_Drawn]:
    """The tickets a round scores: all of them, or ``size`` per team or per category (tickets
    without a category are a group of their own), at random or highest priority first."""
    if rule == SampleRule.ALL:
        groups = {None: tickets}
    else:
        key = "team_id" if rule == SampleRule.PER_TEAM else "category_id"
        groups = defaultdict(list)
        for ticket in sorted(tickets, key=lambda t: t.pk):  # a stable start for the draw
            groups[getattr(ticket, key)].append(ticket)
    drawn = []
    for group in groups.values():
        if order == SampleOrder.PRIORITY:
            picked = _by_priority(group)
            drawn += picked if rule == SampleRule.ALL else picked[:size]
        else:
            drawn += rng.sample(
                group, len(group) if rule == SampleRule.ALL else min(size, len(group))
            )
    return _by_priority(drawn) if order == SampleOrder.PRIORITY else drawn


def cases_share(tickets: list[_Drawn], reviewer_ids: Sequence[int]) -> dict[int, int]:
    """Ticket id → reviewer id: an even share (no reviewer gets two more than another), each
    ticket to someone who was neither its assignee nor its holder wherever the even share
    leaves such a person room.

    The most constrained tickets go first, each to the least loaded reviewer free to take it;
    of equals, the one with more of their own tickets still to place (they are the hardest to
    fill later), then whoever got a case longest ago (a round robin). A last pass swaps any
    case left with its own agent for one the two may trade."""
    count = len(reviewer_ids)
    base, extra = divmod(len(tickets), count)
    load = dict.fromkeys(reviewer_ids, 0)
    turn = {pk: i for i, pk in enumerate(reviewer_ids)}
    reviewers = set(reviewer_ids)

    def own(ticket: _Drawn) -> set[int]:
        return {ticket.assignee_id, ticket.holder_id} & reviewers

    left_own = dict.fromkeys(reviewer_ids, 0)
    for ticket in tickets:
        for pk in own(ticket):
            left_own[pk] += 1

    def has_room(pk: int) -> bool:
        above = sum(1 for n in load.values() if n > base)
        return load[pk] < base or (load[pk] == base and above < extra)

    share: dict[int, int] = {}
    for ticket in sorted(tickets, key=lambda t: -len(own(t))):  # stable: draw order kept
        mine = own(ticket)
        room = [pk for pk in reviewer_ids if has_room(pk)]
        others = [pk for pk in room if pk not in mine]
        chosen = min(others or room, key=lambda pk: (load[pk], -left_own[pk], turn[pk]))
        share[ticket.pk] = chosen
        load[chosen] += 1
        turn[chosen] = max(turn.values()) + 1
        for pk in mine:
            left_own[pk] -= 1
    owners = {ticket.pk: own(ticket) for ticket in tickets}
    for stuck in [pk for pk, reviewer in share.items() if reviewer in owners[pk]]:
        for other, reviewer in share.items():
            mine = share[stuck]
            if reviewer not in owners[stuck] and mine not in owners[other]:
                share[stuck], share[other] = reviewer, mine
                break
    return share


def _round_validate(
    *,
    actor: User,
    name: str,
    questionnaire: Questionnaire | None,
    teams: Sequence[Team],
    period_start: datetime.date | None,
    period_end: datetime.date | None,
    sample_rule: str,
    sample_size: int | None,
    sample_order: str,
    reviewers: Sequence[User],
) -> None:
    if not teams:
        raise ApplicationError("Choose at least one team.", field="teams")
    if not leads_every(actor, [team.pk for team in teams]):
        raise ApplicationError(
            "Only a lead of every chosen team (or an admin) may run a scoring round on it.",
            field="teams",
            code="forbidden",
        )
    if not name.strip():
        raise ApplicationError("Give the round a name.", field="name")
    if questionnaire is None or not questionnaire.is_active:
        raise ApplicationError("Choose an active questionnaire.", field="questionnaire")
    if not questionnaire.questions.exists():
        raise ApplicationError(
            f"“{questionnaire}” has no questions yet: an admin adds them first.",
            field="questionnaire",
        )
    if period_start is None or period_end is None:
        raise ApplicationError("Give the first and last day of the period.", field="period_start")
    if period_end < period_start:
        raise ApplicationError("The period ends before it starts.", field="period_end")
    if sample_rule not in SampleRule.values:
        raise ApplicationError("Choose how the tickets are sampled.", field="sample_rule")
    if sample_order not in SampleOrder.values:
        raise ApplicationError("Choose the order of the sample.", field="sample_order")
    if sample_rule != SampleRule.ALL and not (sample_size and sample_size > 0):
        per = "team" if sample_rule == SampleRule.PER_TEAM else "category"
        raise ApplicationError(f"How many tickets per {per}? Give a number.", field="sample_size")
    if not reviewers:
        raise ApplicationError("Choose at least one reviewer.", field="reviewers")
    seated = set(
        Membership.objects.filter(
            team__in=teams, user__in=reviewers, user__is_active=True
        ).values_list("user_id", flat=True)
    )
    strangers = [str(user) for user in reviewers if user.pk not in seated]
    if strangers:
        raise ApplicationError(
            f"Reviewers must be agents of the chosen teams: {', '.join(strangers)} "
            f"{'is' if len(strangers) == 1 else 'are'} not.",
            field="reviewers",
        )


@transaction.atomic
def round_create(
    *,
    actor: User,
    name: str,
    questionnaire: Questionnaire | None,
    teams: Sequence[Team],
    period_start: datetime.date | None,
    period_end: datetime.date | None,
    sample_rule: str,
    sample_size: int | None,
    sample_order: str,
    reviewers: Sequence[User],
) -> ScoringRound:
    """Draw a round: the sample of the teams' tickets resolved in the period, shared out
    among the reviewers. Refused when the sample is empty (nothing to score)."""
    teams, reviewers = list(teams), list(dict.fromkeys(reviewers))
    _round_validate(
        actor=actor,
        name=name,
        questionnaire=questionnaire,
        teams=teams,
        period_start=period_start,
        period_end=period_end,
        sample_rule=sample_rule,
        sample_size=sample_size,
        sample_order=sample_order,
        reviewers=reviewers,
    )
    size = None if sample_rule == SampleRule.ALL else sample_size
    tickets = sample_draw(
        _candidates([team.pk for team in teams], period_start, period_end),
        rule=sample_rule,
        size=size,
        order=sample_order,
    )
    if not tickets:
        names = ", ".join(team.name for team in teams)
        raise ApplicationError(
            f"No ticket of {names} was resolved between {period_start:%d %b %Y} and "
            f"{period_end:%d %b %Y}: there is nothing to score. Choose another period.",
            field="period_start",
            code="empty",
        )
    scoring_round = ScoringRound.objects.create(
        name=name.strip(),
        questionnaire=questionnaire,
        period_start=period_start,
        period_end=period_end,
        sample_rule=sample_rule,
        sample_size=size,
        sample_order=sample_order,
        created_by=actor,
    )
    scoring_round.teams.set(teams)
    scoring_round.reviewers.set(reviewers)
    share = cases_share(tickets, [user.pk for user in reviewers])
    ScoredCase.objects.bulk_create(
        ScoredCase(
            round=scoring_round,
            ticket_id=ticket.pk,
            reviewer_id=share[ticket.pk],
            category_id=ticket.category_id,
            feature=ticket.feature,
        )
        for ticket in tickets
    )
    return scoring_round


@dataclass
class Scored:
    """The answers to store and the two sums they make."""

    answers: list[CaseAnswer]
    product: int
    process: int


def answers_check(*, questions: Sequence[Question], answers: dict) -> Scored:
    """Every scored question answered with one of its own choices; free text optional.

    ``questions`` come with their choices prefetched. Keys and choice ids may be strings (a
    form's values). A scored question an admin left without choices cannot be answered and
    counts nothing."""
    given = {as_id(key): value for key, value in answers.items()}
    known = {question.pk for question in questions}
    if None in given or set(given) - known:
        raise ApplicationError("An answer is for a question this questionnaire does not ask.")
    rows, sums = [], {ScoreGroup.PRODUCT: 0, ScoreGroup.PROCESS: 0}
    for question in questions:
        value = given.get(question.pk)
        if question.group == ScoreGroup.FREE_TEXT:
            text = str(value or "").strip()
            if len(text) > MAX_TEXT:
                raise ApplicationError(
                    f"“{question.text}”: keep it under {MAX_TEXT} characters.",
                    field=f"q{question.pk}",
                )
            if text:
                rows.append(CaseAnswer(question=question, text=text))
            continue
        choices = {choice.pk: choice for choice in question.choices.all()}
        if not choices:
            continue
        if value in (None, ""):
            raise ApplicationError(f"Answer “{question.text}”.", field=f"q{question.pk}")
        choice = choices.get(as_id(value))
        if choice is None:
            raise ApplicationError(
                f"“{question.text}” offers no such answer: pick one of its own.",
                field=f"q{question.pk}",
            )
        rows.append(CaseAnswer(question=question, choice=choice))
        sums[question.group] += choice.points
    return Scored(rows, sums[ScoreGroup.PRODUCT], sums[ScoreGroup.PROCESS])


def questions_of(questionnaire_id: int) -> list[Question]:
    return list(
        Question.objects.filter(questionnaire_id=questionnaire_id).prefetch_related("choices")
    )


@transaction.atomic
def case_score(*, case: ScoredCase, actor: User, answers: dict) -> ScoredCase:
    """Store a reviewer's answers and the case's product and process scores. Scoring again
    replaces the answers (and the time it was scored)."""
    team_ids = set(case.round.teams.values_list("pk", flat=True))
    if not may_score(actor, case, team_ids):
        raise ApplicationError("This case is another reviewer's.", code="forbidden")
    # The lock makes two sends of the same form (a double click) replace, not collide.
    locked = ScoredCase.objects.select_for_update().get(pk=case.pk)
    scored = answers_check(questions=questions_of(case.round.questionnaire_id), answers=answers)
    CaseAnswer.objects.filter(case=locked).delete()
    for answer in scored.answers:
        answer.case = locked
    CaseAnswer.objects.bulk_create(scored.answers)
    locked.product_score, locked.process_score = scored.product, scored.process
    locked.scored_at = timezone.now()
    locked.save(update_fields=["product_score", "process_score", "scored_at"])
    case.product_score, case.process_score, case.scored_at = (
        locked.product_score,
        locked.process_score,
        locked.scored_at,
    )
    return case
