"""What problems plug into tickets: the ticket panels, the routing action, the bulk action of
lists of tickets, the navigation and the e-mail people may turn off."""

from apps.core import mailchoices
from apps.core.errors import ApplicationError
from apps.tickets import actions, extensions


def _open_problem_rows() -> list[tuple[str, str]]:
    from .selectors import problems_to_link

    return [(str(p.pk), f"{p.reference} {p.title}") for p in problems_to_link()]


def _clean(params: dict) -> dict:
    """A problem's id (as the choice sends it) or its reference, "PRB-3"; it must be open."""
    from .selectors import problem_get, problems_to_link

    value = str(params.get("problem", "")).strip()
    problem = problem_get(reference=value)
    if problem is None or not problems_to_link().filter(pk=problem.pk).exists():
        raise ApplicationError(f"There is no open problem {value!r}.", field="problem")
    return {"problem": problem.pk}


def _apply(*, ticket, params, actor, source) -> str:
    from .models import Problem
    from .services import problem_link

    problem = Problem.objects.filter(pk=params["problem"]).first()
    if problem is None or not problem.is_open:
        return "left the ticket unlinked: its problem is gone or fixed"
    problem_link(problem=problem, tickets=[ticket], actor=actor, via=source or "a rule")
    return f"linked the ticket to {problem.reference}"


def _agent_panel(request, ticket) -> dict:
    from .selectors import problem_for_ticket, problems_to_link
    from .services import can_edit

    problem = problem_for_ticket(ticket=ticket)
    return {
        "problem": problem,
        "may_edit": problem is not None and can_edit(request.user, problem),
        "open_problems": problems_to_link() if problem is None else [],
    }


def _requester_panel(request, ticket) -> dict:
    from .selectors import problem_for_ticket

    problem = problem_for_ticket(ticket=ticket)
    return {"problem": problem if problem is not None and problem.is_public else None}


MAIL_CHOICE = mailchoices.MailChoice(
    "problems.fixed",
    "A known problem behind my request is fixed",
    ("problem_fixed",),
    "About my requests",
    order=13,
)


def _merge(*, source, target, actor) -> None:
    """The ticket that stays keeps its own problem, or takes the duplicate's."""
    from .models import ProblemLink

    if ProblemLink.objects.filter(ticket_id=target.pk).exists():
        ProblemLink.objects.filter(ticket_id=source.pk).delete()
    else:
        ProblemLink.objects.filter(ticket_id=source.pk).update(ticket_id=target.pk)


def register() -> None:
    mailchoices.register(MAIL_CHOICE)
    extensions.merge_step("problems", _merge)
    actions.register(
        actions.TicketAction(
            name="link_problem",
            label="Link to a problem",
            params=(
                actions.Param(
                    "problem",
                    "choice",
                    "Problem",
                    choices=actions.LazyChoices("open-problems", _open_problem_rows),
                ),
            ),
            clean=_clean,
            apply=_apply,
        )
    )
    extensions.ticket_panel(
        extensions.Panel(
            name="problem",
            template="problems/panels/agent.html",
            context=_agent_panel,
            audience="agent",
            order=15,
        )
    )
    extensions.ticket_panel(
        extensions.Panel(
            name="problem-portal",
            template="problems/panels/requester.html",
            context=_requester_panel,
            audience="requester",
            order=15,
        )
    )
    extensions.bulk_action(extensions.BulkAction("Link to a problem…", "problems:link-many"))
    extensions.nav_link(extensions.NavLink("Problems", "problems:list", audience="agent", order=55))
    extensions.nav_link(
        extensions.NavLink("Known issues", "known-issues", audience="all", order=85)
    )
