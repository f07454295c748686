"""The collaborator's side: the e-mailed link, their task on one screen, and "my tasks".

Opening a genuine link starts a *link session*: it lets this browser see that one task and
nothing else of Switchboard (it is not a sign-in). The session is bound to the task and link
version it came from (revoking or reassigning ends it), expires when the link would, and can
be ended with "Sign out". It never replaces someone signed in: a link for another person asks
first, and whoever is signed in always comes before a link session.
"""

import time

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from apps.core.downloads import file_response
from apps.core.errors import ApplicationError
from apps.core.ratelimits import TOO_MANY_MAILS, mail_form_over_limit, rate_limited

from .. import selectors, services
from ..forms import TaskCommentForm, TransitionForm
from ..links import expired_link_owner, link_expires_at, link_read, link_target
from ..models import Status

SESSION_KEY = "subtasks.link"


def _link_session(request) -> dict | None:
    """The link session's payload while it still holds: not expired, its link not revoked or
    reassigned, and nobody signed in (a sign-in always wins over a link session)."""
    payload = request.session.get(SESSION_KEY)
    if not payload:
        return None
    ended = request.user.is_authenticated or payload.get("exp", 0) <= time.time()
    if not ended:
        try:
            link_target(payload)
        except (ApplicationError, KeyError, TypeError):
            ended = True
    if ended:
        del request.session[SESSION_KEY]
        return None
    return payload


def collaborator(request):
    """Who is looking: the signed-in user, else the person a still-valid link session names."""
    if request.user.is_authenticated:
        _link_session(request)  # drops a leftover link session
        return request.user
    payload = _link_session(request)
    return link_target(payload)[1] if payload else None


def _who_or_login(request, pk: int | None = None):
    """The person, or a redirect to sign in. A link session opens only its own task: any other
    task answers 404, as one that does not exist."""
    person = collaborator(request)
    if person is None:
        return None, redirect_to_login(request.get_full_path())
    bound = _bound_task(request)
    if pk is not None and bound is not None and pk != bound:
        raise Http404("No such task.")
    return person, None


def _bound_task(request) -> int | None:
    """The task a link session is bound to; None for a signed-in user."""
    payload = None if request.user.is_authenticated else request.session.get(SESSION_KEY)
    return payload["s"] if payload else None


def _start_link_session(request, subtask, person, token: str) -> None:
    request.session.cycle_key()  # a fresh session id, never one planted before the link
    request.session[SESSION_KEY] = {
        "s": subtask.pk,
        "u": person.pk,
        "v": subtask.link_version,
        "exp": link_expires_at(token),
    }


@require_http_methods(["GET", "POST"])
def link(request, token):
    try:
        subtask, person = link_read(token=token)
    except ApplicationError as error:
        if error.code == "expired":
            return render(request, "subtasks/link_expired.html", {"token": token}, status=410)
        return render(request, "subtasks/link_invalid.html", {"error": error.message}, status=400)
    signed_in = request.user if request.user.is_authenticated else None
    if signed_in is not None and signed_in.pk == person.pk:
        return redirect("subtasks:task", pk=subtask.pk)  # their own task, already signed in
    if signed_in is not None:
        # Someone else is signed in here: never switch people without asking.
        if request.method != "POST" or request.POST.get("continue") != "1":
            context = {"signed_in": signed_in, "person": person, "token": token}
            return render(request, "subtasks/link_confirm.html", context)
        logout(request)
    _start_link_session(request, subtask, person, token)
    return redirect("subtasks:task", pk=subtask.pk)


@require_POST
def sign_out(request):
    """End the link session in this browser (a signed-in user signs out as usual)."""
    request.session.pop(SESSION_KEY, None)
    if not request.user.is_authenticated:
        request.session.flush()
    return render(request, "subtasks/signed_out.html")


@require_POST
def link_renew(request, token):
    """Send a fresh link to the address the expired one went to — never anywhere else."""
    owner = expired_link_owner(token=token)
    # A public form that sends e-mail: limited per client and per inbox, as the sign-in link.
    if mail_form_over_limit(request, owner[1].email if owner else None):
        return rate_limited(request, TOO_MANY_MAILS)
    if owner is not None:
        services.subtask_link_resend(subtask=owner[0], user=owner[1])
    return render(request, "subtasks/link_sent.html")


def mine(request):
    person, login = _who_or_login(request)
    if login:
        return login
    tasks = selectors.subtask_list_for_assignee(user=person)
    bound = _bound_task(request)
    if bound is not None:  # a link session shows its own task only
        tasks = tasks.filter(pk=bound)
    return render(
        request, "subtasks/mine.html", {"tasks": tasks, "person": person, "nav": "subtasks:mine"}
    )


def task(request, pk):
    person, login = _who_or_login(request, pk)
    if login:
        return login
    subtask = selectors.subtask_get_for_assignee(user=person, pk=pk)
    context = _task_context(subtask, person, link_session=_bound_task(request) is not None)
    return render(request, "subtasks/task.html", context)


def _task_context(subtask, person, *, link_session: bool = False, **extra):
    # Only what was shared with this task and its own thread: never the ticket's other
    # messages or internal notes, never another subtask's thread.
    return {
        "subtask": subtask,
        "ticket": subtask.ticket,
        "ticket_finished": subtask.ticket.status in ("resolved", "closed"),
        "person": person,
        "shared_comments": selectors.shared_comments_for(subtask=subtask),
        "thread": selectors.thread_of(subtask=subtask),
        "comment_form": TaskCommentForm(),
        # A link session opens this task only: other tasks need the person's own link.
        "link_session": link_session,
        "other_open": 0
        if link_session
        else selectors.subtask_list_for_assignee(user=person).exclude(pk=subtask.pk).count(),
        **extra,
    }


@require_POST
def finish(request, pk):
    person, login = _who_or_login(request, pk)
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
    person, login = _who_or_login(request, pk)
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
    bound = _bound_task(request)
    if bound is not None and found.subtask_id != bound:
        raise Http404("No such file.")
    return file_response(file=found.file, filename=found.filename)
