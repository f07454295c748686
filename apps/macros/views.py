"""The agent's macros page, and the picker's search of the reply box."""

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from apps.core.errors import ApplicationError
from apps.tickets.permissions import can_work
from apps.tickets.selectors import ticket_get
from apps.tickets.views.workspace import agent_required

from . import placeholders
from .forms import MacroForm
from .selectors import (
    macro_get_personal,
    macro_list_personal,
    macro_list_shared_with,
    macro_search,
)
from .services import macro_create, macro_delete, macro_update


@agent_required
def macro_list(request):
    context = {
        "mine": macro_list_personal(user=request.user),
        "shared": macro_list_shared_with(user=request.user),
        "placeholders": placeholders.PLACEHOLDERS,
        "nav": "macros",
    }
    return render(request, "macros/list.html", context)


def _save(request, form, save) -> bool:
    if not form.is_valid():
        return False
    try:
        save(form.cleaned_data)
    except ApplicationError as error:
        form.add_service_error(error)
        return False
    return True


@agent_required
def macro_new(request):
    form = MacroForm(request.POST or None)
    if request.method == "POST" and _save(
        request, form, lambda data: macro_create(owner=request.user, data=data)
    ):
        messages.success(request, f"Macro “{form.cleaned_data['name']}” saved.")
        return redirect("macros:list")
    return _form_page(request, form, macro=None)


@agent_required
def macro_edit(request, pk):
    macro = macro_get_personal(user=request.user, pk=pk)
    form = MacroForm(request.POST or None, instance=macro)
    if request.method == "POST" and _save(
        request, form, lambda data: macro_update(macro=macro, actor=request.user, data=data)
    ):
        messages.success(request, f"Macro “{macro.name}” saved.")
        return redirect("macros:list")
    return _form_page(request, form, macro=macro)


def _form_page(request, form, *, macro):
    context = {
        "form": form,
        "macro": macro,
        "placeholders": placeholders.PLACEHOLDERS,
        "nav": "macros",
    }
    return render(request, "macros/form.html", context, status=400 if form.errors else 200)


@agent_required
@require_POST
def macro_delete_view(request, pk):
    macro = macro_get_personal(user=request.user, pk=pk)
    macro_delete(macro=macro, actor=request.user)
    messages.success(request, f"Macro “{macro.name}” deleted.")
    return redirect("macros:list")


@agent_required
@require_GET
def search(request, reference):
    """The macros this agent may use that match ``q``, each with its text filled in for the
    ticket: JSON for the reply box's picker."""
    ticket = ticket_get(user=request.user, key=reference)
    if not can_work(request.user, ticket):
        raise Http404("No such ticket.")
    found = macro_search(user=request.user, query=request.GET.get("q", ""))
    results = [
        {
            "id": macro.pk,
            "name": macro.name,
            "scope": str(macro.team) if macro.team_id else macro.get_scope_display(),
            "internal": macro.internal,
            "changes": macro.changes,
            "text": placeholders.render(macro.body, ticket=ticket, agent=request.user),
        }
        for macro in found
    ]
    return JsonResponse({"results": results})
