"""The requester's portal: "my requests", a new request, and following one request."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from apps.core.errors import ApplicationError

from ..forms import ReplyForm, TicketNewForm
from ..merge import merge_target
from ..models import Status, Ticket, reference_to_pk
from ..permissions import is_colleague, is_follower, is_requester, shares_with_colleagues
from ..selectors import (
    attachment_list_for,
    comment_list_for,
    ticket_get,
    ticket_list_for_requester,
)
from ..services import comment_add, ticket_create
from .common import paginate, panels_html

PER_PAGE = 20


@login_required
def ticket_list(request):
    shares = shares_with_colleagues(request.user)
    organisation = shares and request.GET.get("scope") == "organisation"
    tickets = ticket_list_for_requester(user=request.user, organisation=organisation)
    context = {
        "page": paginate(request, tickets, PER_PAGE),
        "shares": shares,
        "organisation": organisation,
        "query": "scope=organisation" if organisation else "",
        "nav": "portal",
    }
    return render(request, "tickets/portal/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def ticket_new(request):
    form = TicketNewForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            ticket = ticket_create(
                requester=request.user,
                subject=form.cleaned_data["subject"],
                description=form.cleaned_data["description"],
                category=form.cleaned_data["category"],
                location=form.cleaned_data["location"],
                product=form.cleaned_data["product"],
                impact=form.cleaned_data["impact"],
                urgency=form.cleaned_data["urgency"],
                attachments=form.cleaned_data["attachments"],
                custom=form.custom_answers(),
            )
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                f"Thank you — your request is {ticket.reference}. Quote this number if you "
                "contact us about it; we have also sent it to you by e-mail.",
            )
            return redirect("portal:ticket", reference=ticket.reference)
    context = {"form": form, "nav": "new", "panels": panels_html(request, "portal_new")}
    # Refused input answers 400 (with the form and its messages), as the API does.
    return render(request, "tickets/portal/new.html", context, status=400 if form.errors else 200)


def _portal_ticket(user, reference) -> Ticket:
    """A ticket the person may know of, or one they follow (CC'd, or the requester of a
    duplicate merged into it); 404 otherwise."""
    try:
        return ticket_get(user=user, key=reference)
    except Http404:
        pk = reference_to_pk(reference)
        ticket = Ticket.objects.filter(pk=pk, followers__user=user).first() if pk else None
        if ticket is None:
            raise
        return ticket


def _own_ticket(request, reference, *, colleagues: bool = False):
    """The portal shows a person their own requests and those they follow (and, to read,
    ``colleagues``' where their organisation shares them); agents work others' in the desk.
    A request merged into another leads there."""
    ticket = _portal_ticket(request.user, reference)
    mine = is_requester(request.user, ticket) or is_follower(request.user, ticket)
    if mine and ticket.merged_into_id:
        return None, redirect("portal:ticket", reference=merge_target(ticket).reference)
    if mine or (colleagues and is_colleague(request.user, ticket)):
        return ticket, None
    return None, redirect("workspace:ticket", reference=ticket.reference)


def _render_ticket(request, ticket, form, status=200):
    # Even an agent reading their own request sees it as its requester does: no notes.
    comments = comment_list_for(user=request.user, ticket=ticket).filter(is_internal=False)
    files = attachment_list_for(user=request.user, ticket=ticket).filter(comment__isnull=True)
    requester = is_requester(request.user, ticket)
    own = requester or is_follower(request.user, ticket)
    context = {
        "own": own,  # a colleague reads the request; its requester and followers answer it
        "ticket": ticket,
        "comments": comments,
        "ticket_files": files,
        "form": form,
        "is_closed": ticket.status == Status.CLOSED,
        "is_resolved": ticket.status == Status.RESOLVED,
        # Features' requester panels act for the requester: not shown to a colleague.
        "panels": panels_html(request, "requester", ticket) if requester else [],
        "nav": "portal",
    }
    return render(request, "tickets/portal/ticket.html", context, status=status)


@login_required
def ticket_detail(request, reference):
    ticket, away = _own_ticket(request, reference, colleagues=True)
    return away or _render_ticket(request, ticket, ReplyForm())


@login_required
@require_POST
def ticket_reply(request, reference):
    ticket, away = _own_ticket(request, reference)
    if away:
        return away
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        was_resolved = ticket.status == Status.RESOLVED
        try:
            comment_add(
                ticket=ticket,
                author=request.user,
                body=form.cleaned_data["body"],
                attachments=form.cleaned_data["attachments"],
            )
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            note = " The request is open again." if was_resolved else ""
            messages.success(request, f"Your reply was added to {ticket.reference}.{note}")
            return redirect("portal:ticket", reference=ticket.reference)
    return _render_ticket(request, ticket, form, status=400)
