"""Reads about problems, each shaped for its page and scoped to what the reader may see."""

from datetime import date, timedelta

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from apps.accounts.models import User
from apps.core.numbers import as_id
from apps.tickets.models import ACTIVE_STATUSES, Ticket
from apps.tickets.permissions import visible_tickets_q

from .models import REFERENCE_PREFIX, Problem, ProblemLink, ProblemStatus

OPEN_STATUSES = [s for s in ProblemStatus.values if s != ProblemStatus.FIXED]


def problem_list(*, status: str = "open") -> QuerySet[Problem]:
    """Every agent sees the desk's problems (their workarounds are for everyone's tickets)."""
    problems = (
        Problem.objects.select_related("team")
        .order_by("-updated_at", "-id")
        .annotate(
            ticket_count=Count("links"),
            open_count=Count("links", filter=Q(links__ticket__status__in=ACTIVE_STATUSES)),
        )
    )
    if status == "open":
        return problems.filter(status__in=OPEN_STATUSES)
    if status in ProblemStatus.values:
        return problems.filter(status=status)
    return problems


def problem_get(*, reference: str) -> Problem | None:
    pk = as_id(reference.strip().upper().removeprefix(REFERENCE_PREFIX))
    if pk is None:  # not a plain number ("²" is a digit to Python, not to us)
        return None
    return (
        Problem.objects.select_related("team", "created_by")
        .prefetch_related("whys")
        .filter(pk=pk)
        .first()
    )


def linked_tickets_for(*, problem: Problem, user: User) -> tuple[QuerySet[Ticket], int]:
    """The linked tickets this person may see, and how many more there are beyond them."""
    linked = Ticket.objects.filter(problem_link__problem=problem)
    visible = (
        linked.filter(visible_tickets_q(user))
        .select_related("team", "requester", "assignee")
        .order_by("-created_at", "-pk")
    )
    return visible, linked.count() - visible.count()


def visible_links_prefetch(*, user: User) -> Prefetch:
    """Each problem's links to tickets this person may see, newest ticket first, as
    ``visible_links``: a page of problems reads them in one query."""
    visible = Ticket.objects.filter(visible_tickets_q(user))
    links = (
        ProblemLink.objects.filter(ticket__in=visible)
        .select_related("ticket")
        .order_by("-ticket__created_at", "-ticket_id")
    )
    return Prefetch("links", queryset=links, to_attr="visible_links")


def problem_for_ticket(*, ticket: Ticket) -> Problem | None:
    link = ProblemLink.objects.select_related("problem__team").filter(ticket=ticket).first()
    return link.problem if link else None


def problems_to_link() -> QuerySet[Problem]:
    return Problem.objects.filter(status__in=OPEN_STATUSES).select_related("team")


def known_issues_for(*, user: User | None) -> list[Problem]:
    """The problems the desk publishes, open ones and those fixed in the last 30 days; for a
    signed-in person each carries ``affected``: their own requests it is behind."""
    recent = timezone.now() - timedelta(days=30)
    problems = Problem.objects.filter(is_public=True).filter(
        Q(status__in=OPEN_STATUSES) | Q(fixed_at__gte=recent)
    )
    if user is not None and user.is_authenticated:
        mine = Ticket.objects.filter(requester=user).only("id", "subject", "status")
        problems = problems.prefetch_related(
            Prefetch(
                "links",
                queryset=ProblemLink.objects.filter(ticket__requester=user).prefetch_related(
                    Prefetch("ticket", queryset=mine)
                ),
                to_attr="affected",
            )
        )
    issues = list(problems.order_by("-updated_at"))
    for problem in issues:
        problem.affected = [link.ticket for link in getattr(problem, "affected", [])]
    # Open ones first, the soonest planned fix first; then the recently fixed.
    issues.sort(key=lambda p: (not p.is_open, p.fix_planned_for or date.max))
    return issues


def workable_q(user: User) -> Q:
    """The tickets this person may work (as ``can_work`` says of one), as a condition."""
    if user.is_superuser:
        return Q()
    return Q(team__in=user.team_ids) | Q(assignee=user) | Q(holder=user)
