"""Saving the queue's filters as a named view, and the agent's list of views to rename or
delete. Opening one is a link to the queue with its query string."""

from django.contrib import messages
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.core.errors import ApplicationError

from ..views.workspace import agent_required
from .selectors import saved_view_chips, saved_view_get, saved_view_list_for
from .services import saved_view_create, saved_view_delete, saved_view_rename


@agent_required
def view_list(request):
    views = saved_view_list_for(user=request.user)
    return render(request, "tickets/saved_views/list.html", {"views": views, "nav": "queue"})


@agent_required
@require_POST
def view_create(request):
    """With htmx the queue's filter controls come along as they are now (hx-include); without,
    the page's own query string is the filters (each change reloaded the page)."""
    params = request.POST if request.htmx else QueryDict(request.POST.get("query", ""))
    try:
        view = saved_view_create(
            user=request.user, name=request.POST.get("name", ""), params=params
        )
    except ApplicationError as error:
        if request.htmx:
            return _bar(request, params, error=error.message, name=request.POST.get("name", ""))
        messages.error(request, error.message)
        return redirect(f"{reverse('workspace:queue')}?{params.urlencode()}")
    if request.htmx:
        return _bar(request, params, saved=view.name)
    messages.success(request, f"View “{view.name}” saved.")
    return redirect(f"{reverse('workspace:queue')}?{view.query}")


def _bar(request, params, **context):
    """The bar of views above the queue, redrawn in place."""
    context["saved_views"] = saved_view_chips(user=request.user, params=params)
    context["query"] = params.urlencode()
    return render(request, "tickets/saved_views/_bar.html", context)


@agent_required
@require_POST
def view_rename(request, pk):
    view = saved_view_get(user=request.user, pk=pk)
    try:
        saved_view_rename(view=view, actor=request.user, name=request.POST.get("name", ""))
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"View renamed to “{view.name}”.")
    return redirect("saved_views:list")


@agent_required
@require_POST
def view_delete(request, pk):
    view = saved_view_get(user=request.user, pk=pk)
    saved_view_delete(view=view, actor=request.user)
    messages.success(request, f"View “{view.name}” deleted.")
    return redirect("saved_views:list")
