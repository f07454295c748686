"""The agent's side: the subtask panel on the ticket page, its actions, the leads' overdue list.

Each action answers an htmx request with the re-rendered panel and a plain form post with a
redirect back to the ticket, so the panel works with and without JavaScript.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.core.errors import ApplicationError
from apps.core.numbers import as_id, is_id
from apps.tickets.permissions import can_work
from apps.tickets.selectors import ticket_get

from .. import selectors, services
from ..forms import AnswerForm, OverrideForm, SubtaskForm, TemplateApplyForm, TransitionForm


def panel_context(request, ticket, form=None, error: str = "") -> dict:
    subtasks = list(selectors.subtask_list_for_ticket(ticket=ticket))
    for subtask in subtasks:
        subtask.thread = selectors.thread_entries(subtask)
    comments = list(ticket.comments.select_related("author").order_by("created_at", "id"))
    user = request.user
    override = selectors.latest_override(ticket=ticket)
    return {
        "ticket": ticket,
        "subtasks": subtasks,
        "done_count": sum(not s.is_open for s in subtasks),
        "subtask_form": form or SubtaskForm(ticket=ticket, subtasks=subtasks, comments=comments),
        "comments": comments,
        "template_form": TemplateApplyForm(),
        "has_templates": selectors.template_list_active().exists(),
        "blockers": selectors.open_blockers_among(subtasks=subtasks, override=override),
        "override": override,
        "may_override": user.is_superuser or ticket.team_id in user.led_team_ids,
        "override_form": OverrideForm(),
        "transition_form": TransitionForm(),
        "answer_form": AnswerForm(),
        "panel_error": error,
    }


def _ticket_for_agent(request, reference):
    ticket = ticket_get(user=request.user, key=reference)
    if not can_work(request.user, ticket):
        raise Http404("No such ticket.")
    return ticket


def _answer(request, ticket, *, form=None, error="", done=""):
    """htmx: swap the panel in place. Otherwise: back to the ticket page with a message."""
    if request.htmx:
        context = panel_context(request, ticket, form=form, error=error)
        context["panel_notice"] = done
        return render(request, "subtasks/panel.html", context)
    if error:
        messages.error(request, error)
    elif done:
        messages.success(request, done)
    return redirect(reverse("workspace:ticket", args=[ticket.reference]) + "#subtasks-panel")


def _form_error(form) -> str:
    return " ".join(
        f"{form.fields[f].label if f in form.fields else ''}: {e[0]}".lstrip(": ")
        for f, e in form.errors.items()
    )


@login_required
@require_POST
def subtask_add(request, reference):
    ticket = _ticket_for_agent(request, reference)
    subtasks = list(selectors.subtask_list_for_ticket(ticket=ticket))
    form = SubtaskForm(
        request.POST, ticket=ticket, subtasks=subtasks, comments=ticket.comments.all()
    )
    if not form.is_valid():
        return _answer(request, ticket, form=form, error=_form_error(form))
    try:
        subtask = services.subtask_create(
            ticket=ticket, actor=request.user, **form.service_kwargs()
        )
    except ApplicationError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return _answer(request, ticket, form=form, error=error.message)
    return _answer(request, ticket, done=f"Subtask “{subtask.title}” added.")


@login_required
@require_POST
def template_apply(request, reference):
    ticket = _ticket_for_agent(request, reference)
    form = TemplateApplyForm(request.POST)
    if not form.is_valid():
        return _answer(request, ticket, error="Choose a template.")
    try:
        created = services.template_apply(
            ticket=ticket, template=form.cleaned_data["template"], actor=request.user
        )
    except ApplicationError as error:
        return _answer(request, ticket, error=error.message)
    name = form.cleaned_data["template"].name
    done = (
        f"Added {len(created)} subtasks from “{name}”."
        if created
        else f"“{name}” was already applied."
    )
    return _answer(request, ticket, done=done)


@login_required
@require_POST
def override(request, reference):
    ticket = _ticket_for_agent(request, reference)
    form = OverrideForm(request.POST)
    if not form.is_valid():
        return _answer(request, ticket, error="Give the reason for the override (a few words).")
    try:
        services.resolve_override_create(
            ticket=ticket, lead=request.user, reason=form.cleaned_data["reason"]
        )
    except ApplicationError as error:
        return _answer(request, ticket, error=error.message)
    return _answer(request, ticket, done="Override recorded: the ticket can be resolved.")


@login_required
@require_POST
def transition(request, pk):
    subtask = selectors.subtask_get_for_agent(user=request.user, pk=pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return _answer(request, subtask.ticket, error="Choose what happened to the subtask.")
    try:
        changed = services.subtask_transition(
            subtask=subtask, actor=request.user, **form.cleaned_data
        )
    except ApplicationError as error:
        return _answer(request, subtask.ticket, error=error.message)
    done = "Subtask updated." if changed else "Nothing changed: the subtask was already finished."
    return _answer(request, subtask.ticket, done=done)


@login_required
@require_POST
def answer(request, pk):
    """Support answers the assignee on the subtask's thread; they get it by e-mail."""
    subtask = selectors.subtask_get_for_agent(user=request.user, pk=pk)
    form = AnswerForm(request.POST, request.FILES)
    form.is_valid()
    try:
        services.subtask_comment_add(
            subtask=subtask,
            author=request.user,
            body=form.cleaned_data.get("body", ""),
            files=request.FILES.getlist("files"),
        )
    except ApplicationError as error:
        return _answer(request, subtask.ticket, error=error.message)
    to = subtask.assignee or "the thread"
    return _answer(request, subtask.ticket, done=f"Answer sent to {to} (“{subtask.title}”).")


@login_required
@require_POST
def share(request, pk):
    """Change what of the ticket the assignee may read: the description, chosen messages."""
    subtask = selectors.subtask_get_for_agent(user=request.user, pk=pk)
    ids = [as_id(v) for v in request.POST.getlist("shared_comments") if is_id(v)]
    try:
        services.subtask_update(
            subtask=subtask,
            actor=request.user,
            data={
                "share_description": bool(request.POST.get("share_description")),
                "shared_comment_ids": ids,
            },
        )
    except ApplicationError as error:
        return _answer(request, subtask.ticket, error=error.message)
    return _answer(request, subtask.ticket, done=f"Sharing of “{subtask.title}” updated.")


@login_required
@require_POST
def new_link(request, pk):
    subtask = selectors.subtask_get_for_agent(user=request.user, pk=pk)
    services.subtask_link_revoke(subtask=subtask, actor=request.user, resend=True)
    return _answer(
        request, subtask.ticket, done="Earlier links no longer work; a new one was e-mailed."
    )


@login_required
@require_POST
def delete(request, pk):
    subtask = selectors.subtask_get_for_agent(user=request.user, pk=pk)
    services.subtask_delete(subtask=subtask, actor=request.user)
    return _answer(request, subtask.ticket, done=f"Subtask “{subtask.title}” removed.")


@login_required
def overdue(request):
    if not request.user.is_lead:
        raise Http404("No such page.")
    # Only rows whose ticket the lead may open (their teams' tickets, so all of them today).
    subtasks = [
        s
        for s in selectors.overdue_list(user=request.user)[:200]
        if can_work(request.user, s.ticket)
    ]
    return render(
        request, "subtasks/overdue.html", {"subtasks": subtasks, "nav": "subtasks:overdue"}
    )
