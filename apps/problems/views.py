"""Problem pages: the desk's list, a problem's analysis and tickets, linking tickets (one from its
page, several from a list), and the known-issues page everyone may read."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from apps.accounts.models import Team
from apps.core.errors import ApplicationError
from apps.core.numbers import as_id
from apps.tickets.models import ACTIVE_STATUSES, Ticket, reference_to_pk
from apps.tickets.permissions import can_work
from apps.tickets.views.common import paginate
from apps.tickets.views.workspace import _workable_ticket, agent_required

from . import selectors, services
from .forms import ProblemForm
from .models import Problem, ProblemStatus

TICKETS_AT_ONCE = 200
TICKETS_SHOWN = 100  # on a problem's page; the count says how many more


def _problem(reference: str) -> Problem:
    problem = selectors.problem_get(reference=reference)
    if problem is None:
        raise Http404("No such problem.")
    return problem


@agent_required
@require_GET
def problem_list(request):
    status = request.GET.get("status", "open")
    page = paginate(request, selectors.problem_list(status=status), 25)
    tabs = [("open", "Open"), *ProblemStatus.choices, ("all", "All")]
    context = {"page": page, "status": status, "tabs": tabs, "nav": "problems:list"}
    return render(request, "problems/list.html", context)


@agent_required
def problem_new(request):
    ticket = None
    if reference := request.GET.get("ticket") or request.POST.get("ticket"):
        ticket = _workable_ticket(request, reference)
    initial = {"title": ticket.subject if ticket else "", "team": _home_team(request.user)}
    form = ProblemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            problem = services.problem_create(
                actor=request.user, ticket=ticket, whys=form.whys(), **form.data_for_service()
            )
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"{problem.reference} opened.")
            return redirect("problems:detail", reference=problem.reference)
    status = 400 if form.is_bound else 200
    context = {"form": form, "ticket": ticket, "nav": "problems:list"}
    return render(request, "problems/new.html", context, status=status)


def _home_team(user):
    return min(user.team_ids, default=None)


def _detail_context(request, problem: Problem, form=None) -> dict:
    tickets, hidden = selectors.linked_tickets_for(problem=problem, user=request.user)
    may_edit = services.can_edit(request.user, problem)
    if form is None and may_edit:
        form = ProblemForm(initial=ProblemForm.initial_for(problem), problem=problem)
    open_mine = tickets.filter(selectors.workable_q(request.user), status__in=ACTIVE_STATUSES)
    return {
        "problem": problem,
        "form": form,
        "may_edit": may_edit,
        "tickets": tickets[:TICKETS_SHOWN],
        "ticket_count": tickets.count(),
        "hidden_count": hidden,
        "open_mine": open_mine.count(),
        "nav": "problems:list",
    }


@agent_required
@require_GET
def problem_detail(request, reference):
    problem = _problem(reference)
    return render(request, "problems/detail.html", _detail_context(request, problem))


@agent_required
@require_POST
def problem_edit(request, reference):
    problem = _problem(reference)
    if not services.can_edit(request.user, problem):
        raise PermissionDenied(f"Only {problem.team} changes this problem.")
    form = ProblemForm(request.POST, problem=problem)
    if form.is_valid():
        try:
            updated = services.problem_update(
                problem=problem,
                actor=request.user,
                data=form.data_for_service(),
                whys=form.whys(),
            )
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            fixed = updated.status == ProblemStatus.FIXED and problem.status != updated.status
            what = "Marked fixed: the requesters of its open tickets are told." if fixed else ""
            messages.success(request, f"{updated.reference} saved. {what}".strip())
            return redirect("problems:detail", reference=updated.reference)
    context = _detail_context(request, problem, form=form)
    return render(request, "problems/detail.html", context, status=400)


@agent_required
@require_POST
def problem_resolve_tickets(request, reference):
    problem = _problem(reference)
    if not services.can_edit(request.user, problem):
        raise PermissionDenied(f"Only {problem.team} resolves this problem's tickets.")
    try:
        result = services.problem_resolve_linked(problem=problem, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _resolved_words(result))
        for ticket, why in result.refused:
            messages.warning(request, f"{ticket.reference} stays open: {why}")
    return redirect("problems:detail", reference=problem.reference)


def _resolved_words(result) -> str:
    words = f"{len(result.resolved)} ticket{'s' if len(result.resolved) != 1 else ''} resolved."
    if result.others:
        words += f" {result.others} of other teams stay with their teams."
    return words


@agent_required
@require_POST
def ticket_link(request, reference):
    """From the ticket page: link it to the problem chosen."""
    ticket = _workable_ticket(request, reference)
    problem = selectors.problems_to_link().filter(pk=as_id(request.POST.get("problem", ""))).first()
    if problem is None:
        messages.error(request, "Choose an open problem to link the ticket to.")
    else:
        services.problem_link(
            problem=problem, tickets=[ticket], actor=request.user, via="ticket page"
        )
        messages.success(request, f"Linked to {problem.reference}.")
    return redirect("workspace:ticket", reference=ticket.reference)


@agent_required
@require_POST
def ticket_unlink(request, reference):
    ticket = _workable_ticket(request, reference)
    try:
        services.problem_unlink(ticket=ticket, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Unlinked from its problem.")
    return redirect("workspace:ticket", reference=ticket.reference)


def _chosen_tickets(request, references: list[str]) -> tuple[list[Ticket], list[str]]:
    """The tickets named that this agent may work, and the references they may not (or that do
    not exist: the same answer, so nobody learns which tickets exist)."""
    named = {ref: reference_to_pk(ref) for ref in dict.fromkeys(references[:TICKETS_AT_ONCE])}
    found = Ticket.objects.select_related("team").in_bulk([pk for pk in named.values() if pk])
    mine, others = [], []
    for reference, pk in named.items():
        ticket = found.get(pk)
        if ticket is not None and can_work(request.user, ticket):
            mine.append(ticket)
        else:
            others.append(reference)
    return mine, others


@agent_required
def link_many(request):
    """Several tickets at once (chosen in a list such as the insights drill-down): pick an
    open problem, or open a new one, and link them all."""
    source = request.POST if request.method == "POST" else request.GET
    tickets, others = _chosen_tickets(request, source.getlist("ticket"))
    if request.method == "POST" and tickets:
        try:
            problem = _problem_for_many(request, tickets)
            result = services.problem_link(
                problem=problem, tickets=tickets, actor=request.user, via="several tickets at once"
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, result.summary(problem))
            return redirect("problems:detail", reference=problem.reference)
    context = {
        "tickets": tickets,
        "others": others,
        "problems": selectors.problems_to_link(),
        "back": source.get("back", ""),
        "nav": "problems:list",
    }
    return render(request, "problems/link_many.html", context, status=200)


def _problem_for_many(request, tickets: list[Ticket]) -> Problem:
    chosen = request.POST.get("problem", "")
    if chosen == "new":
        return services.problem_create(
            actor=request.user,
            title=request.POST.get("title", ""),
            team=tickets[0].team or Team.objects.filter(pk=_home_team(request.user)).first(),
        )
    problem = selectors.problems_to_link().filter(pk=as_id(chosen)).first()
    if problem is None:
        raise ApplicationError("Choose an open problem, or name a new one.", field="problem")
    return problem


@require_GET
def known_issues(request):
    """What the desk publishes about problems it knows of: open to everyone, signed in or not;
    a signed-in requester sees which of their own requests each one is behind."""
    user = request.user if request.user.is_authenticated else None
    issues = selectors.known_issues_for(user=user)
    return render(request, "problems/known_issues.html", {"issues": issues, "nav": "known"})
