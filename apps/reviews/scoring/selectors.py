"""Case scoring: the reads (rounds, a reviewer's queue, a round's results, its export)."""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import (
    Avg,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from apps.accounts.models import Membership, Team, User
from apps.core.numbers import as_id
from apps.core.spreadsheets import spreadsheet_safe
from apps.tickets.models import Priority, Status, Ticket
from apps.tickets.selectors import event_list_for

from .models import CaseAnswer, Question, ScoredCase, ScoreGroup, ScoringRound
from .permissions import is_admin, may_manage_round, may_score

TOP = 10


def _count(queryset) -> Subquery:
    """A correlated COUNT(*) that does not multiply the outer rows (unlike a join + Count)."""
    counted = queryset.order_by().values("round").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def rounds_for(user: User) -> QuerySet[ScoringRound]:
    """The rounds a person may open, newest first: every round for admins; for others those
    of a team they lead and those they review in. Each comes with its teams, its number of
    cases and of scored ones, and (``my_cases``, ``my_scored``) the person's own share."""
    if not (user.is_authenticated and user.is_active):
        return ScoringRound.objects.none()
    rounds = ScoringRound.objects.all()
    if not is_admin(user):
        led = ScoringRound.teams.through.objects.filter(
            scoringround_id=OuterRef("pk"), team_id__in=user.led_team_ids
        )
        reviews = ScoringRound.reviewers.through.objects.filter(
            scoringround_id=OuterRef("pk"), user_id=user.pk
        )
        visible = Q(Exists(led))
        if user.is_agent:  # someone who left support keeps no view of what they reviewed
            visible |= Q(Exists(reviews)) & _of_my_teams(user, "pk")
        rounds = rounds.filter(visible)
    cases = ScoredCase.objects.filter(round=OuterRef("pk"))
    mine = cases.filter(reviewer=user)
    return (
        rounds.select_related("questionnaire", "created_by")
        .prefetch_related(Prefetch("teams", queryset=Team.objects.order_by("name")))
        .annotate(
            case_count=_count(cases),
            scored_count=_count(cases.exclude(scored_at=None)),
            my_cases=_count(mine),
            my_scored=_count(mine.exclude(scored_at=None)),
        )
        .order_by("-created_at", "-id")
    )


def _of_my_teams(user: User, round_ref: str) -> Q:
    """The round (``round_ref``: the outer query's field holding it) is drawn from a team the
    person is still in: a reviewer who left those teams keeps no view of their tickets."""
    teams = ScoringRound.teams.through.objects.filter(
        scoringround_id=OuterRef(round_ref), team_id__in=user.team_ids
    )
    return Q(Exists(teams))


def round_team_ids(scoring_round: ScoringRound) -> set[int]:
    return set(scoring_round.teams.values_list("pk", flat=True))


@dataclass
class RoundAccess:
    round: ScoringRound
    team_ids: set[int]
    manages: bool  # results, the CSV, every case; otherwise a reviewer: progress only


def round_get_for(*, user: User, pk) -> RoundAccess:
    """A round its leads (and admins) manage and its reviewers follow; 404 for anyone else,
    whether or not it exists."""
    scoring_round = (
        ScoringRound.objects.select_related("questionnaire", "created_by")
        .filter(pk=as_id(pk) or 0)
        .first()
    )
    if scoring_round is None or not (user.is_authenticated and user.is_active):
        raise Http404("No such round.")
    team_ids = round_team_ids(scoring_round)
    if may_manage_round(user, scoring_round, team_ids):
        return RoundAccess(scoring_round, team_ids, manages=True)
    if (
        user.is_agent
        and team_ids & user.team_ids
        and scoring_round.reviewers.filter(pk=user.pk).exists()
    ):
        return RoundAccess(scoring_round, team_ids, manages=False)
    raise Http404("No such round.")


def _cases() -> QuerySet[ScoredCase]:
    return ScoredCase.objects.select_related(
        "round", "reviewer", "category", "ticket", "ticket__team", "ticket__assignee"
    ).annotate(
        total_score=ExpressionWrapper(
            Coalesce("product_score", 0) + Coalesce("process_score", 0),
            output_field=IntegerField(),
        )
    )


def cases_to_score(user: User) -> QuerySet[ScoredCase]:
    """A reviewer's cases, of every round: those still to score first (highest priority
    first), then those already scored (the latest first)."""
    if not (user.is_authenticated and user.is_active and user.is_agent):
        return ScoredCase.objects.none()
    return (
        _cases()
        .filter(_of_my_teams(user, "round_id"), reviewer=user)
        .order_by(
            F("scored_at").desc(nulls_first=True),
            "-ticket__priority",
            "-round__created_at",
            "id",
        )
    )


def case_next_for(user: User, *, after: ScoredCase) -> ScoredCase | None:
    """The next case the reviewer has still to score (after sending one)."""
    return cases_to_score(user).filter(scored_at=None).exclude(pk=after.pk).first()


@dataclass
class CasePage:
    case: ScoredCase
    ticket: Ticket
    comments: list
    ticket_files: list
    events: list
    questions: list[Question]
    answers: dict[int, CaseAnswer]
    manages: bool


def case_get_for(*, user: User, pk) -> CasePage:
    """A case as its reviewer scores it: the ticket's whole history (the public thread,
    internal notes, events) beside the questionnaire. 404 for anyone but its reviewer, a lead
    of the round's teams or an admin."""
    case = (
        ScoredCase.objects.select_related(
            "round",
            "round__questionnaire",
            "reviewer",
            "category",
            "ticket",
            "ticket__requester",
            "ticket__assignee",
            "ticket__team",
            "ticket__category",
            "ticket__product",
        )
        .filter(pk=as_id(pk) or 0)
        .first()
    )
    if case is None or not (user.is_authenticated and user.is_active):
        raise Http404("No such case.")
    team_ids = round_team_ids(case.round)
    if not may_score(user, case, team_ids):
        raise Http404("No such case.")
    ticket = case.ticket
    # The reviewer reads what the agents wrote, internal notes included: that is the review.
    comments = ticket.comments.select_related("author").prefetch_related("attachments")
    questions = Question.objects.filter(questionnaire_id=case.round.questionnaire_id)
    return CasePage(
        case=case,
        ticket=ticket,
        comments=list(comments.order_by("created_at", "id")),
        ticket_files=list(ticket.attachments.filter(comment__isnull=True).order_by("id")),
        events=event_list_for(ticket=ticket),
        questions=list(questions.prefetch_related("choices")),
        answers={a.question_id: a for a in case.answers.select_related("choice")},
        manages=may_manage_round(user, case.round, team_ids),
    )


@dataclass
class Group:
    """A feature's or category's cases: how many, how many scored, the average scores."""

    label: str
    cases: int
    scored: int
    product: float | None
    process: float | None
    total: float | None


@dataclass
class Progress:
    reviewer: User
    scored: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.scored / self.total) if self.total else 0


@dataclass
class FreeText:
    question: Question
    answers: list[CaseAnswer] = field(default_factory=list)


@dataclass
class RoundResults:
    round: ScoringRound
    teams: list[Team]
    total: int
    scored: int
    progress: list[Progress]
    top: list[ScoredCase] = field(default_factory=list)
    severe: list[ScoredCase] = field(default_factory=list)
    by_feature: list[Group] = field(default_factory=list)
    by_category: list[Group] = field(default_factory=list)
    free_text: list[FreeText] = field(default_factory=list)


def _groups(cases: QuerySet, by: str, *, empty: str) -> list[Group]:
    scored = Q(scored_at__isnull=False)
    rows = (
        cases.order_by()
        .values(by)
        .annotate(
            n=Count("pk"),
            done=Count("pk", filter=scored),
            product=Avg("product_score", filter=scored),
            process=Avg("process_score", filter=scored),
            total=Avg(F("product_score") + F("process_score"), filter=scored),
        )
    )
    groups = [
        Group(row[by] or empty, row["n"], row["done"], row["product"], row["process"], row["total"])
        for row in rows
    ]
    # Most telling first: the highest average (unscored groups last), then the biggest.
    return sorted(groups, key=lambda g: (g.total is None, -(g.total or 0), -g.cases, g.label))


def round_progress(scoring_round: ScoringRound) -> list[Progress]:
    """Scored and total cases of each reviewer (one query)."""
    rows = (
        ScoredCase.objects.filter(round=scoring_round)
        .order_by()
        .values("reviewer")
        .annotate(total=Count("pk"), scored=Count("pk", filter=Q(scored_at__isnull=False)))
    )
    counts = {row["reviewer"]: row for row in rows}
    people = User.objects.filter(pk__in=counts).order_by("full_name", "email")
    return [Progress(p, counts[p.pk]["scored"], counts[p.pk]["total"]) for p in people]


def round_results(scoring_round: ScoringRound, *, progress_only: bool = False) -> RoundResults:
    """What a round found: its highest-scoring cases, its most severe ones (priority first,
    then the product score), the averages by product feature and by category, every free-text
    answer by question, and each reviewer's progress. A fixed number of queries."""
    progress = round_progress(scoring_round)
    results = RoundResults(
        round=scoring_round,
        teams=list(scoring_round.teams.order_by("name")),
        total=sum(p.total for p in progress),
        scored=sum(p.scored for p in progress),
        progress=progress,
    )
    if progress_only:
        return results
    cases = _cases().filter(round=scoring_round)
    done = cases.exclude(scored_at=None)
    results.top = list(done.order_by("-total_score", "-ticket__priority", "id")[:TOP])
    results.severe = list(
        done.order_by("-ticket__priority", "-product_score", "-total_score", "id")[:TOP]
    )
    plain = ScoredCase.objects.filter(round=scoring_round)
    results.by_feature = _groups(plain, "feature", empty="(no feature)")
    results.by_category = _groups(plain, "category__name", empty="(no category)")
    questions = Question.objects.filter(
        questionnaire_id=scoring_round.questionnaire_id, group=ScoreGroup.FREE_TEXT
    )
    texts = {question.pk: FreeText(question) for question in questions}
    answers = (
        CaseAnswer.objects.filter(case__round=scoring_round, question_id__in=texts)
        .exclude(text="")
        .select_related("case__ticket", "case__reviewer")
        .order_by("case__ticket_id", "id")
    )
    for answer in answers:
        texts[answer.question_id].answers.append(answer)
    results.free_text = list(texts.values())
    return results


# -- The new-round form's choices -------------------------------------------------------------


def teams_for_rounds(user: User) -> QuerySet[Team]:
    """The teams a person may draw a round from: those they lead (admins: every team)."""
    teams = Team.objects.order_by("name")
    return teams if is_admin(user) else teams.filter(pk__in=user.led_team_ids)


def reviewer_choices(user: User) -> QuerySet[User]:
    """Active agents of the teams the person may draw from (the service checks the teams
    actually chosen)."""
    seats = Membership.objects.filter(team__in=teams_for_rounds(user))
    return User.objects.filter(is_active=True, pk__in=seats.values("user_id")).order_by(
        "full_name", "email"
    )


# -- Export -----------------------------------------------------------------------------------

CSV_COLUMNS = [
    "reference",
    "subject",
    "team",
    "category",
    "product feature",
    "priority",
    "status",
    "resolved",
    "assignee",
    "reviewer",
    "scored",
    "product score",
    "process score",
    "total",
]


def _when(moment) -> str:
    """A moment in the desk's time zone, to the minute."""
    return timezone.localtime(moment).isoformat(timespec="minutes") if moment else ""


def round_csv_rows(scoring_round: ScoringRound) -> Iterator[list]:
    """A round's cases, one line each, with every question's answer in a column of its own."""
    questions = list(
        Question.objects.filter(questionnaire_id=scoring_round.questionnaire_id).order_by(
            "order", "id"
        )
    )
    yield CSV_COLUMNS + [spreadsheet_safe(q.text) for q in questions]
    given: dict[int, dict[int, str]] = defaultdict(dict)
    for case_id, question_id, choice, text in CaseAnswer.objects.filter(
        case__round=scoring_round
    ).values_list("case_id", "question_id", "choice__text", "text"):
        given[case_id][question_id] = choice if choice is not None else text
    priorities, statuses = dict(Priority.choices), dict(Status.choices)
    prefix, offset = settings.TICKET_REFERENCE_PREFIX, settings.TICKET_REFERENCE_OFFSET
    cases = (
        ScoredCase.objects.filter(round=scoring_round)
        .order_by("id")
        .values_list(
            "pk",
            "ticket_id",
            "ticket__subject",
            "ticket__team__name",
            "category__name",
            "feature",
            "ticket__priority",
            "ticket__status",
            "ticket__resolved_at",
            "ticket__assignee__email",
            "reviewer__email",
            "scored_at",
            "product_score",
            "process_score",
        )
    )
    for row in cases.iterator(chunk_size=2000):
        pk, ticket_id, subject, team, category, feature, priority, status = row[:8]
        resolved, assignee, reviewer, scored_at, product, process = row[8:]
        done = scored_at is not None
        answers = given.get(pk, {})
        yield [
            f"{prefix}-{ticket_id + offset}",
            spreadsheet_safe(subject),
            spreadsheet_safe(team),
            spreadsheet_safe(category),
            spreadsheet_safe(feature),
            priorities.get(priority, priority),
            statuses.get(status, status),
            _when(resolved),
            spreadsheet_safe(assignee),
            spreadsheet_safe(reviewer),
            _when(scored_at),
            product if done else "",
            process if done else "",
            (product or 0) + (process or 0) if done else "",
        ] + [spreadsheet_safe(answers.get(q.pk, "")) for q in questions]
