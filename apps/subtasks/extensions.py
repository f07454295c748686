"""How subtasks plug into tickets: the resolve guard, the question resolving asks about open
subtasks, the ticket panel, the queue column and filter, navigation, e-mailed answers to a
subtask's mail, and the "create subtasks from a template" action for routing rules."""

from apps.core import mailchoices
from apps.core.errors import ApplicationError
from apps.core.numbers import as_id, is_id
from apps.tickets import actions, extensions


def has_tasks_page(user) -> bool:
    """Agents, and anyone ever given a subtask: a requester with none has no "My tasks"."""
    from .models import Subtask

    return user.is_agent or Subtask.objects.filter(assignee_user=user).exists()


def _queue_cell(ticket) -> str:
    """The queue's "n of m done", from the column's annotation."""
    total, done = ticket.subtasks_total, ticket.subtasks_done
    if not total:
        return '<span class="muted small">—</span>'
    css = "badge sb-status-done" if done == total else "badge"
    return f'<span class="{css}" title="Subtasks finished">{done} of {total} done</span>'


def _manages_someone(user) -> bool:
    return user.reports.filter(is_active=True).exists()


TASKS = "About tasks given to me"
MAIL_CHOICES = (
    mailchoices.MailChoice(
        "subtasks.assigned",
        "A subtask is assigned to me (with the link to do it)",
        ("subtask_assigned",),
        TASKS,
        help="Turned off, your tasks are still listed under My tasks.",
        order=30,
        shown_to=has_tasks_page,
    ),
    mailchoices.MailChoice(
        "subtasks.answers",
        "Support answers on a task of mine",
        ("subtask_answer",),
        TASKS,
        order=31,
        shown_to=has_tasks_page,
    ),
    mailchoices.MailChoice(
        "subtasks.reminders",
        "Reminders of my overdue tasks, and tasks no longer needed",
        ("subtask_reminder", "subtask_cancelled"),
        TASKS,
        order=32,
        shown_to=has_tasks_page,
    ),
    mailchoices.MailChoice(
        "subtasks.manager",
        "A task of someone I manage is long overdue",
        ("subtask_manager",),
        TASKS,
        order=33,
        shown_to=_manages_someone,
    ),
    mailchoices.MailChoice(
        "subtasks.ticket_news",
        "Subtasks of my tickets: a message from their assignee, or nothing blocks resolving",
        ("notified:subtask",),  # "subtasks" and "subtask_commented"
        "About tickets I work on",
        order=24,
        shown_to=lambda user: user.is_agent,
    ),
)


def _blockers(ticket) -> list[str]:
    from .selectors import open_blockers

    return [
        f"the subtask “{s.title}” ({s.assignee or 'unassigned'}) is still open"
        for s in open_blockers(ticket=ticket)
    ]


def _template_rows() -> list[tuple[str, str]]:
    from .models import SubtaskTemplate

    rows = SubtaskTemplate.objects.filter(is_active=True).values_list("pk", "name")
    return [(str(pk), name) for pk, name in rows]


def _clean(params: dict) -> dict:
    """Accept a template's id (as the choice sends it) or its exact name."""
    from .models import SubtaskTemplate

    value = str(params.get("template", "")).strip()
    qs = SubtaskTemplate.objects.filter(is_active=True)
    template = qs.filter(pk=as_id(value)).first() if is_id(value) else qs.filter(name=value).first()
    if template is None:
        raise ApplicationError(f"There is no active subtask template {value!r}.", field="template")
    return {"template": template.pk}


def _apply(*, ticket, params, actor, source) -> str:
    from .models import SubtaskTemplate
    from .services import template_apply

    template = SubtaskTemplate.objects.get(pk=params["template"])
    created = template_apply(ticket=ticket, template=template, actor=actor, source=source)
    return f"added {len(created)} subtasks from “{template.name}”"


def _reply_by_mail(*, object_id: int, author, body: str, files) -> object:
    """An e-mailed answer to a subtask's mail: a message on the subtask's own thread."""
    from .models import Subtask
    from .services import subtask_comment_add

    subtask = Subtask.objects.select_related("ticket").filter(pk=object_id).first()
    if subtask is None:
        raise ApplicationError("The task this e-mail answers no longer exists.")
    subtask_comment_add(subtask=subtask, author=author, body=body, files=files)
    return subtask.ticket


def _merge(*, source, target, actor) -> None:
    """A merged ticket's subtasks go on, for the ticket that stays."""
    from .models import Subtask

    Subtask.objects.filter(ticket_id=source.pk).update(ticket_id=target.pk)


def register() -> None:
    for choice in MAIL_CHOICES:
        mailchoices.register(choice)
    extensions.reply_target("subtask", _reply_by_mail)
    from . import selectors
    from .services import resolution
    from .views.agent import panel_context

    extensions.resolve_guard("subtasks", _blockers)
    extensions.merge_step("subtasks", _merge)
    extensions.resolve_question(
        extensions.ResolveQuestion(
            name="open_subtasks",
            label="Subtasks still open",
            choices=resolution.CHOICES,
            ask=resolution.open_subtasks_question,
            apply=resolution.open_subtasks_settle,
            note_label="Note to their assignees (if you cancel them)",
            order=20,
        )
    )
    extensions.ticket_panel(
        extensions.Panel(
            name="subtasks",
            template="subtasks/panel.html",
            context=panel_context,
            audience="agent",
            order=20,
        )
    )
    extensions.queue_column(
        extensions.QueueColumn(
            name="subtasks",
            header="Subtasks",
            cell=_queue_cell,
            annotate=selectors.annotate_progress,
            order=50,
        )
    )
    extensions.queue_filter(
        extensions.QueueFilter(
            name="waiting_on_subtasks",
            label="Waiting on subtasks",
            apply=selectors.waiting_on_subtasks,
            order=50,
        )
    )
    extensions.nav_link(
        extensions.NavLink(
            "My tasks", "subtasks:mine", audience="all", order=60, shown_to=has_tasks_page
        )
    )
    extensions.nav_link(
        extensions.NavLink("Overdue subtasks", "subtasks:overdue", audience="lead", order=61)
    )
    actions.register(
        actions.TicketAction(
            name="create_subtasks_from_template",
            label="Create subtasks from a template",
            params=(
                actions.Param(
                    "template",
                    "choice",
                    "Subtask template",
                    choices=actions.LazyChoices("subtask-templates", _template_rows),
                ),
            ),
            clean=_clean,
            apply=_apply,
        )
    )
