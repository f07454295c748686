"""How subtasks plug into tickets: the resolve guard, the question resolving asks about open
subtasks, the ticket panel, the queue column and filter, navigation, e-mailed answers to a
subtask's mail, and the "create subtasks from a template" action for routing rules."""

from apps.core.errors import ApplicationError
from apps.core.numbers import as_id, is_id
from apps.tickets import actions, extensions


def has_tasks_page(user) -> bool:
    """Agents, and anyone ever given a subtask: a requester with none has no "My tasks"."""
    from .models import Subtask

    return user.is_agent or Subtask.objects.filter(assignee_user=user).exists()


def _blockers(ticket) -> list[str]:
    from .selectors import open_blockers

    return [
        f"the subtask “{s.title}” ({s.assignee or 'unassigned'}) is still open"
        for s in open_blockers(ticket=ticket)
    ]


class TemplateChoices:
    """The active templates, read when a form or validator asks, not at start-up."""

    def _rows(self):
        from .models import SubtaskTemplate

        return [
            (str(pk), name)
            for pk, name in SubtaskTemplate.objects.filter(is_active=True).values_list("pk", "name")
        ]

    def __iter__(self):
        return iter(self._rows())

    def __len__(self):
        return len(self._rows())

    def __bool__(self):
        return True

    def __contains__(self, value):
        return any(value in row for row in self._rows())

    def __hash__(self):
        return hash("subtask-template-choices")

    def __eq__(self, other):
        return isinstance(other, TemplateChoices)


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


def register() -> None:
    extensions.reply_target("subtask", _reply_by_mail)
    from . import selectors
    from .services import resolution
    from .views.agent import panel_context

    extensions.resolve_guard("subtasks", _blockers)
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
            template="subtasks/queue_cell.html",
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
                actions.Param("template", "choice", "Subtask template", choices=TemplateChoices()),
            ),
            clean=_clean,
            apply=_apply,
        )
    )
