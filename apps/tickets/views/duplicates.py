"""Duplicates: the tickets like this one (agents' panel, the requester's new-ticket form) and
merging one ticket into another."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from apps.core.errors import ApplicationError

from ..merge import ticket_merge
from ..models import ACTIVE_STATUSES, Ticket
from ..permissions import can_work
from ..selectors import ticket_get
from ..similar import similar_tickets
from .workspace import _workable_ticket, agent_required


def panel_context(request, ticket) -> dict:
    """The agent's "Similar tickets" section on the ticket page: only its frame, which fetches
    the list from ``similar`` once it is in view (the text search is the page's dearest read)."""
    return {}


@agent_required
@require_GET
def similar(request, reference):
    """The "Similar tickets" section of a ticket the agent may work."""
    ticket = _workable_ticket(request, reference)
    context = {"ticket": ticket, **_similar_context(request.user, ticket)}
    return render(request, "tickets/workspace/_similar_list.html", context)


def _similar_context(user, ticket) -> dict:
    """The active tickets of the agent's teams like this one: the ones a duplicate is merged
    into (read by the team's index, so a million closed tickets cost nothing)."""
    scope = Ticket.objects.filter(status__in=ACTIVE_STATUSES, merged_into__isnull=True)
    if not user.is_superuser:
        scope = scope.filter(team__in=user.team_ids)
    found = similar_tickets(scope=scope, text=ticket.subject, exclude=ticket.pk)
    return {"similar": [(t, can_work(user, t)) for t in found]}


@agent_required
@require_POST
def merge(request, reference):
    """Merge this ticket into the one named (``target``: a tracking number)."""
    source = _workable_ticket(request, reference)
    target_ref = request.POST.get("target", "").strip()
    try:
        target = ticket_get(user=request.user, key=target_ref)
    except Http404:  # not there, or not the agent's to see: the same words
        messages.error(request, f"There is no ticket {target_ref or '(none given)'} you may work.")
        return redirect("workspace:ticket", reference=source.reference)
    try:
        ticket_merge(source=source, target=target, actor=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("workspace:ticket", reference=source.reference)
    messages.success(
        request,
        f"{source.reference} merged into {target.reference}: its messages, files, subtasks and "
        "people are here now, and its requester was told.",
    )
    return redirect("workspace:ticket", reference=target.reference)


@login_required
@require_GET
def similar_for_requester(request):
    """Beside the new-ticket form: the person's own requests like the subject they typed, open
    ones first, so they add to one instead of opening it twice."""
    scope = Ticket.objects.filter(requester=request.user, merged_into__isnull=True)
    found = similar_tickets(scope=scope, text=request.GET.get("subject", "")[:200], limit=3)
    return render(request, "tickets/portal/_similar.html", {"similar": found})
