"""Writes about problems: open one, work it through the five whys to a fix, link its tickets,
tell their requesters once it is fixed, and resolve the tickets it explains."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from apps.accounts.models import Team, User
from apps.core.errors import ApplicationError
from apps.core.outbox import outbox_enqueue
from apps.core.text import long_text, single_line
from apps.tickets.events import event_record, ticket_transaction
from apps.tickets.models import ACTIVE_STATUSES, Resolution, Status, Ticket
from apps.tickets.permissions import can_work
from apps.tickets.services import ticket_update

from .events import ProblemLinked, ProblemUnlinked
from .models import Problem, ProblemLink, ProblemStatus, Why

WHYS_MAX = 5
# Each step needs what the step before had: a workaround before "known error", a date before
# "fix planned". Fixed needs nothing more (a fix may come without a workaround).
EDITABLE = ("title", "team", "status", "root_cause", "workaround", "fix_planned_for",
            "is_public", "public_summary")  # fmt: skip


def can_edit(user: User, problem: Problem) -> bool:
    """The owning team works its problems; admins any."""
    return user.is_active and (user.is_superuser or problem.team_id in user.team_ids)


def _check_agent(user: User) -> None:
    if not (user.is_active and (user.is_agent or user.is_superuser)):
        raise ApplicationError("Only support agents work problems.", code="forbidden")


def _cleaned(data: dict) -> dict:
    cleaned = dict(data)
    if "title" in cleaned:
        cleaned["title"] = single_line(
            cleaned["title"], "title", 200, message="Name the problem in a few words."
        )
    for name in ("root_cause", "workaround", "public_summary"):
        if name in cleaned:
            cleaned[name] = long_text(cleaned[name] or "", name, required=False)
    if "status" in cleaned and cleaned["status"] not in ProblemStatus.values:
        raise ApplicationError(f"Unknown status {cleaned['status']!r}.", field="status")
    if "team" in cleaned and not isinstance(cleaned["team"], Team):
        raise ApplicationError("Choose the team that owns the problem.", field="team")
    fix_date = cleaned.get("fix_planned_for")
    if fix_date is not None and not isinstance(fix_date, date):
        raise ApplicationError("Give the planned fix date as a date.", field="fix_planned_for")
    return cleaned


def _check_status(problem: Problem) -> None:
    if problem.status == ProblemStatus.KNOWN_ERROR and not problem.workaround:
        raise ApplicationError(
            "A known error needs its workaround: say what people can do until the fix.",
            field="workaround",
        )
    if problem.status == ProblemStatus.FIX_PLANNED and problem.fix_planned_for is None:
        raise ApplicationError(
            "A planned fix needs its date: requesters see it on the known-issues page.",
            field="fix_planned_for",
        )
    if problem.is_public and not problem.public_summary:
        raise ApplicationError(
            "Say in plain words what requesters should know before listing it publicly.",
            field="public_summary",
        )


def _whys_set(problem: Problem, whys: Iterable[str]) -> None:
    answers = [single_line(w, "whys", 500, required=False) for w in whys]
    answers = [a for a in answers if a]
    if len(answers) > WHYS_MAX:
        raise ApplicationError(f"Five whys at most ({len(answers)} given).", field="whys")
    problem.whys.all().delete()
    Why.objects.bulk_create(
        Why(problem=problem, position=n, answer=a) for n, a in enumerate(answers, start=1)
    )


@transaction.atomic
def problem_create(
    *,
    actor: User,
    title: str,
    team: Team,
    ticket: Ticket | None = None,
    whys: Iterable[str] = (),
    **data,
) -> Problem:
    """Open a problem owned by ``team``; with ``ticket``, the ticket it was seen on is linked."""
    _check_agent(actor)
    data = _cleaned({"title": title, "team": team, **data})
    unknown = set(data) - set(EDITABLE)
    if unknown:
        raise ApplicationError(f"“{sorted(unknown)[0]}” is not a field of a problem.")
    now = timezone.now()
    problem = Problem(**data, created_by=actor, created_at=now, updated_at=now)
    _check_status(problem)
    if problem.status == ProblemStatus.FIXED:
        raise ApplicationError("A new problem cannot start fixed.", field="status")
    problem.save()
    _whys_set(problem, whys)
    if ticket is not None:
        problem_link(problem=problem, tickets=[ticket], actor=actor, via="ticket page")
    return problem


@transaction.atomic
def problem_update(
    *, problem: Problem, actor: User, data: dict, whys: Iterable[str] | None = None
) -> Problem:
    """Change the analysis or move the problem on. Becoming fixed tells the requesters of its
    open tickets (once each); leaving "fixed" again forgets the fix date."""
    locked = Problem.objects.select_for_update().get(pk=problem.pk)
    if not can_edit(actor, locked):
        raise ApplicationError(
            f"Only {locked.team} (or an admin) changes this problem.", code="forbidden"
        )
    data = _cleaned(data)
    unknown = set(data) - set(EDITABLE)
    if unknown:
        raise ApplicationError(f"“{sorted(unknown)[0]}” is not a field of a problem.")
    was_fixed = locked.status == ProblemStatus.FIXED
    for name, value in data.items():
        setattr(locked, name, value)
    _check_status(locked)
    now = timezone.now()
    locked.updated_at = now
    if locked.status == ProblemStatus.FIXED and not was_fixed:
        locked.fixed_at = now
    elif locked.status != ProblemStatus.FIXED:
        locked.fixed_at = None
    locked.save()
    if whys is not None:
        _whys_set(locked, whys)
    if locked.fixed_at == now:
        _tell_requesters_fixed(locked)
    return locked


def _tell_requesters_fixed(problem: Problem) -> int:
    """One e-mail per requester of an open linked ticket, naming all of theirs; a retried or
    repeated call sends nothing new for the same fix."""
    tickets = (
        Ticket.objects.filter(problem_link__problem=problem, status__in=ACTIVE_STATUSES)
        .select_related("requester")
        .order_by("pk")
    )
    by_requester: dict[User, list[Ticket]] = defaultdict(list)
    for ticket in tickets:
        by_requester[ticket.requester].append(ticket)
    sent = 0
    for person, theirs in by_requester.items():
        if not (person.is_active and person.takes_mail):
            continue
        context = {"problem": problem, "person": person, "tickets": theirs}
        stored = outbox_enqueue(
            kind="problem_fixed",
            to=person.email,
            subject=render_to_string("problems/mail/fixed_subject.txt", context).strip(),
            body=render_to_string("problems/mail/fixed.txt", context),
            dedupe_key=f"problem-fixed:{problem.pk}:{problem.fixed_at.isoformat()}:{person.pk}",
            ticket_reference=theirs[0].reference,
            thread=f"ticket:{theirs[0].pk}",
            recipient=person,
        )
        sent += stored is not None
    return sent


@dataclass
class LinkResult:
    linked: list[Ticket] = field(default_factory=list)
    moved: list[Ticket] = field(default_factory=list)  # from another problem
    already: list[Ticket] = field(default_factory=list)
    refused: list[Ticket] = field(default_factory=list)  # not the actor's to work

    def summary(self, problem: Problem) -> str:
        parts = [f"{len(self.linked) + len(self.moved)} linked to {problem.reference}"]
        if self.moved:
            parts.append(f"{len(self.moved)} of them moved from another problem")
        if self.already:
            parts.append(f"{len(self.already)} already linked")
        if self.refused:
            refs = ", ".join(t.reference for t in self.refused[:5])
            parts.append(f"{len(self.refused)} not yours to work ({refs})")
        return "; ".join(parts) + "."


@ticket_transaction()
def problem_link(
    *, problem: Problem, tickets: Iterable[Ticket], actor: User | None, via: str
) -> LinkResult:
    """Link tickets the actor may work (a rule, ``actor=None``, may link any). A ticket linked
    to another problem moves to this one; both histories say so."""
    if problem.status == ProblemStatus.FIXED:
        raise ApplicationError(
            f"{problem.reference} is fixed: reopen it, or open a new problem.", field="problem"
        )
    result = LinkResult()
    tickets = list(tickets)
    links = {
        link.ticket_id: link
        for link in ProblemLink.objects.filter(ticket__in=tickets).select_related(
            "problem", "ticket"
        )
    }
    for ticket in tickets:
        if actor is not None and not can_work(actor, ticket):
            result.refused.append(ticket)
            continue
        current = links.get(ticket.pk)
        if current is not None and current.problem_id == problem.pk:
            result.already.append(ticket)
            continue
        if current is not None:
            _unlink(current, actor)
            result.moved.append(ticket)
        else:
            result.linked.append(ticket)
        ProblemLink.objects.create(problem=problem, ticket=ticket, linked_by=actor)
        event_record(
            ticket=ticket,
            payload=ProblemLinked(problem_id=problem.pk, problem=str(problem), via=via),
            actor=actor,
        )
    Problem.objects.filter(pk=problem.pk).update(updated_at=timezone.now())
    return result


def _unlink(link: ProblemLink, actor: User | None) -> None:
    link.delete()
    event_record(
        ticket=link.ticket,
        payload=ProblemUnlinked(problem_id=link.problem_id, problem=str(link.problem)),
        actor=actor,
    )


@ticket_transaction()
def problem_unlink(*, ticket: Ticket, actor: User) -> None:
    if not can_work(actor, ticket):
        raise ApplicationError("Only an agent working the ticket unlinks it.", code="forbidden")
    link = ProblemLink.objects.filter(ticket=ticket).select_related("problem", "ticket").first()
    if link is None:
        raise ApplicationError(f"{ticket.reference} is not linked to a problem.")
    _unlink(link, actor)


@dataclass
class ResolveResult:
    resolved: list[Ticket] = field(default_factory=list)
    refused: list[tuple[Ticket, str]] = field(default_factory=list)
    others: int = 0  # open linked tickets the actor may not work


def problem_resolve_linked(*, problem: Problem, actor: User) -> ResolveResult:
    """Resolve the fixed problem's open tickets the actor works, each in its own change (one
    refused by a blocking subtask does not hold back the rest), with the problem as resolution."""
    if problem.status != ProblemStatus.FIXED:
        raise ApplicationError(
            f"{problem.reference} is not fixed yet: mark it fixed first.", field="status"
        )
    result = ResolveResult()
    tickets = Ticket.objects.filter(
        problem_link__problem=problem, status__in=ACTIVE_STATUSES
    ).order_by("pk")
    for ticket in tickets:
        if not can_work(actor, ticket):
            result.others += 1
            continue
        try:
            ticket_update(
                ticket=ticket,
                actor=actor,
                data={"status": Status.RESOLVED, "resolution": Resolution.PROBLEM},
            )
        except ApplicationError as refused:
            result.refused.append((ticket, refused.message))
        else:
            result.resolved.append(ticket)
    return result
