"""The collaborator's side: the e-mailed link, their task on one screen, and "my tasks".

Opening a genuine link starts a *link session*: it lets this browser see the person's own
tasks and nothing else of Switchboard (it is not a sign-in). The session remembers the link's
fingerprint, so revoking the link also ends the sessions it started.
"""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from apps.core.errors import ApplicationError

from .. import selectors, services
from ..forms import TaskCommentForm, TransitionForm
from ..links import expired_link_owner, link_read, link_target
from ..models import Status

SESSION_KEY = "subtasks.link"


def collaborator(request):
    """Who is looking: the person a still-valid link session names, else the signed-in user."""
    payload = request.session.get(SESSION_KEY)
    if payload:
        try:
            return link_target(payload)[1]
        except ApplicationError:
            del request.session[SESSION_KEY]
    return request.user if request.user.is_authenticated else None


def _who_or_login(request):
    person = collaborator(request)
    if person is None:
        return None, redirect_to_login(request.get_full_path())
    return person, None


def link(request, token):
    try:
        subtask, person = link_read(token=token)
    except ApplicationError as error:
        if error.code == "expired":
            return render(request, "subtasks/link_expired.html", {"token": token}, status=410)
        return render(request, "subtasks/link_invalid.html", {"error": error.message}, status=400)
    if not request.user.is_authenticated:
        request.session.cycle_key()  # a fresh session id, never one planted before the link
    request.session[SESSION_KEY] = {"s": subtask.pk, "u": person.pk, "v": subtask.link_version}
    return redirect("subtasks:task", pk=subtask.pk)


@require_POST
def link_renew(request, token):
    """Send a fresh link to the address the expired one went to — never anywhere else."""
    owner = expired_link_owner(token=token)
    if owner is not None:
        services.subtask_link_resend(subtask=owner[0], user=owner[1])
    return render(request, "subtasks/link_sent.html")


def mine(request):
    person, login = _who_or_login(request)
    if login:
        return login
    tasks = selectors.subtask_list_for_assignee(user=person)
    return render(
        request, "subtasks/mine.html", {"tasks": tasks, "person": person, "nav": "subtasks:mine"}
    )


def task(request, pk):
    person, login = _who_or_login(request)
    if login:
        return login
    subtask = selectors.subtask_get_for_assignee(user=person, pk=pk)
    return render(request, "subtasks/task.html", _task_context(subtask, person))


def _task_context(subtask, person, **extra):
    comments, attachments = selectors.thread_for(subtask=subtask)
    return {
        "subtask": subtask,
        "ticket": subtask.ticket,
        "person": person,
        "shared_comments": selectors.shared_comments_for(subtask=subtask),
        "thread": comments,
        "attachments": attachments,
        "comment_form": TaskCommentForm(),
        "other_open": selectors.subtask_list_for_assignee(user=person)
        .exclude(pk=subtask.pk)
        .count(),
        **extra,
    }


@require_POST
def finish(request, pk):
    person, login = _who_or_login(request)
    if login:
        return login
    subtask = selectors.subtask_get_for_assignee(user=person, pk=pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose Done or Won't do.")
        return redirect("subtasks:task", pk=pk)
    try:
        changed = services.subtask_transition(subtask=subtask, actor=person, **form.cleaned_data)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("subtasks:task", pk=pk)
    if not changed:
        messages.info(request, "Nothing changed: this task was already finished.")
    elif form.cleaned_data["status"] == Status.DONE:
        messages.success(request, "Thank you — the task is marked as done. Support has been told.")
    elif form.cleaned_data["status"] == Status.WONT_DO:
        messages.success(request, "Noted — support will see your reason.")
    else:
        messages.success(request, "Marked as started.")
    return redirect("subtasks:task", pk=pk)


@require_POST
def comment(request, pk):
    person, login = _who_or_login(request)
    if login:
        return login
    subtask = selectors.subtask_get_for_assignee(user=person, pk=pk)
    form = TaskCommentForm(request.POST, request.FILES)
    form.is_valid()
    try:
        services.subtask_comment_add(
            subtask=subtask,
            author=person,
            body=form.cleaned_data.get("body", ""),
            files=request.FILES.getlist("files"),
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Sent to support.")
    return redirect("subtasks:task", pk=pk)


@require_http_methods(["GET"])
def attachment(request, pk):
    person, login = _who_or_login(request)
    if login:
        return login
    found = selectors.attachment_get(user=person, pk=pk)
    return FileResponse(found.file.open("rb"), as_attachment=True, filename=found.filename)
