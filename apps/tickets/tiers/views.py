"""Agent pages of tiered support: the ticket-page panel and its dialogs, "Held by me", and the
in-app notifications list. Thin: forms parse, services decide, selectors read."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.forms.utils import ErrorDict
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.core.errors import ApplicationError

from ..models import Ticket
from ..permissions import can_reply_to_requester, can_work, ticket_page_for, visible_tickets_q
from ..selectors import agent_choices_for, ticket_get
from ..views.workspace import agent_required
from . import services
from .forms import EscalateForm, HandBackForm, HolderForm
from .models import ChecklistValue
from .selectors import (
    checklist_for,
    checklist_values,
    escalation_target,
    hand_back_counts_by_team,
    hand_back_list_recent,
    hand_back_target,
    notification_get,
    notification_list_for,
    ticket_list_held_by,
    tier_time_for,
)


def panel_context(request, ticket, *, open_dialog: str = "", **forms) -> dict:
    """What the tier panel shows: badge, time strip, holder, and the dialogs' forms."""
    if ticket is None or not can_work(request.user, ticket):
        return {"hidden": True}
    target = escalation_target(ticket=ticket)
    values = checklist_values(ticket=ticket)
    seen = {"expected_tier": ticket.tier, "expected_team": ticket.team_id}
    return {
        "target": target,
        "back": hand_back_target(ticket=ticket),
        "time": tier_time_for(ticket=ticket),
        "collected": ChecklistValue.objects.filter(ticket=ticket).select_related("item"),
        "can_reply": can_reply_to_requester(request.user, ticket),
        "open_dialog": open_dialog,
        "escalate_form": forms.get("escalate_form")
        or EscalateForm(
            initial=seen,
            items=checklist_for(team=target.team, tier=target.tier) if target else (),
            values=values,
        ),
        "hand_back_form": forms.get("hand_back_form")
        or HandBackForm(initial=seen, items=checklist_for(team=ticket.team, tier=ticket.tier)),
        "holder_form": forms.get("holder_form")
        or HolderForm(initial={"holder": ticket.holder_id}, agents=_holder_choices(ticket)),
    }


def _holder_choices(ticket):
    return agent_choices_for(ticket=ticket)  # the service accepts no one else


def _workable(request, reference) -> Ticket:
    """404 for anyone who may not work the ticket, whether or not it exists."""
    ticket = ticket_get(user=request.user, key=reference)
    if not can_work(request.user, ticket):
        raise Http404("No such ticket.")
    return ticket


def _panel_response(request, ticket, **context):
    context = {"ticket": ticket, **panel_context(request, ticket, **context)}
    return render(request, "tickets/tiers/panel.html", context)


def _done(request, ticket, message: str):
    """After a move: back to the ticket if the agent still sees it, else to the queue."""
    messages.success(request, message)
    still_visible = Ticket.objects.filter(visible_tickets_q(request.user), pk=ticket.pk).exists()
    url = (
        reverse("workspace:ticket", args=[ticket.reference])
        if still_visible
        else reverse("workspace:queue")
    )
    if request.htmx:
        return HttpResponse(status=204, headers={"HX-Redirect": url})
    return redirect(url)


def _refused(request, ticket, form, error: ApplicationError, dialog: str):
    """Show the service's one message beside its field, keeping what was typed."""
    form.is_valid()
    form._errors = ErrorDict()  # the service's message, not the form's own, says what is wrong
    field = error.field if error.field in form.fields else None
    if field and form.fields[field].widget.is_hidden:
        field = None  # shown above the form, where the agent sees it
    form.add_error(field, error.message)
    if request.htmx:
        return _panel_response(request, ticket, open_dialog=dialog, **{f"{dialog}_form": form})
    messages.error(request, error.message)
    return redirect("workspace:ticket", ticket.reference)


@require_POST
@agent_required
def escalate(request, reference):
    ticket = _workable(request, reference)
    target = escalation_target(ticket=ticket)
    items = checklist_for(team=target.team, tier=target.tier) if target else ()
    form = EscalateForm(request.POST, items=items)
    try:
        escalation = services.ticket_escalate(
            ticket=ticket,
            actor=request.user,
            reason=request.POST.get("reason", ""),
            values=form.checklist_values(),
            expected_tier=request.POST.get("expected_tier"),
            expected_team_id=_int(request.POST.get("expected_team"), ticket.team_id),
        )
    except ApplicationError as error:
        return _refused(request, ticket, form, error, "escalate")
    return _done(
        request,
        ticket,
        f"{ticket.reference} escalated to {escalation.to_team} tier {escalation.to_tier}.",
    )


@require_POST
@agent_required
def hand_back(request, reference):
    ticket = _workable(request, reference)
    form = HandBackForm(request.POST, items=checklist_for(team=ticket.team, tier=ticket.tier))
    try:
        hand_back = services.ticket_hand_back(
            ticket=ticket,
            actor=request.user,
            missing=request.POST.getlist("missing"),
            note=request.POST.get("note", ""),
            to_requester=request.POST.get("to_requester") == "1",
            expected_tier=request.POST.get("expected_tier"),
            expected_team_id=_int(request.POST.get("expected_team"), ticket.team_id),
        )
    except ApplicationError as error:
        return _refused(request, ticket, form, error, "hand_back")
    where = (
        "the requester"
        if hand_back.to_requester
        else f"{hand_back.to_team} tier {hand_back.to_tier}"
    )
    return _done(request, ticket, f"{ticket.reference} handed back to {where}.")


@require_POST
@agent_required
def take(request, reference):
    ticket = _workable(request, reference)
    try:
        services.ticket_take(ticket=ticket, agent=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("workspace:ticket", ticket.reference)
    return _done(request, ticket, f"You took {ticket.reference}.")


@require_POST
@agent_required
def holder(request, reference):
    ticket = _workable(request, reference)
    form = HolderForm(request.POST, agents=_holder_choices(ticket))
    if not form.is_valid():
        error = ApplicationError("Choose an agent of this ticket's team.", field="holder")
        return _refused(request, ticket, form, error, "holder")
    try:
        services.ticket_holder_set(
            ticket=ticket, holder=form.cleaned_data["holder"], actor=request.user
        )
    except ApplicationError as error:
        return _refused(request, ticket, form, error, "holder")
    who = ticket.holder or "nobody"
    return _done(request, ticket, f"{ticket.reference} is now held by {who}.")


@agent_required
def held(request):
    tickets = list(ticket_list_held_by(user=request.user)[:200])
    return render(request, "tickets/tiers/held.html", {"tickets": tickets, "nav": "tiers:held"})


@agent_required
def hand_backs(request):
    """For leads, of the teams they lead: which get cases back for lack of information, and
    what was missing. Lists only tickets the lead may open (a ticket moved on since is counted,
    not shown)."""
    if not request.user.is_lead:
        raise Http404("No such page.")
    days = 30 if request.GET.get("days") != "7" else 7
    since = timezone.now() - timedelta(days=days)
    rows = list(hand_back_list_recent(since=since, user=request.user)[:50])
    recent = [hand_back for hand_back in rows if can_work(request.user, hand_back.ticket)]
    context = {
        "days": days,
        "by_team": list(hand_back_counts_by_team(since=since, user=request.user)),
        "recent": recent,
        "not_shown": len(rows) - len(recent),
        "nav": "tiers:hand-backs",
    }
    return render(request, "tickets/tiers/hand_backs.html", context)


NOTICES_PER_PAGE = 25


def _with_link(user, notice):
    # Link only to a page the reader can open now; a ticket that moved to another team says
    # where it went instead of leading to "No such ticket".
    notice.opens = bool(ticket_page_for(user, notice.ticket))
    return notice


@login_required
def notifications(request):
    page = Paginator(notification_list_for(user=request.user), NOTICES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    for notice in page:
        _with_link(request.user, notice)
    # Whether any is unread ("Mark all as read") is the top bar's badge: counted once.
    context = {"page": page, "nav": "tiers:notifications"}
    return render(request, "tickets/tiers/notifications.html", context)


@login_required
def notification_open(request, pk: int):
    """The notice's link: marks it read and goes on to the ticket. A GET, so it opens in a new
    tab too; all it can change is one's own notice, and only to "read"."""
    notice = notification_get(user=request.user, pk=pk)
    if notice is None:
        raise Http404("No such notification.")
    services.notification_mark_read(user=request.user, ids=[notice.pk])
    page = ticket_page_for(request.user, notice.ticket)
    if page is None:
        return redirect("tiers:notifications")
    return redirect(page, notice.ticket.reference)


@require_POST
@login_required
def notifications_read(request):
    """ "Mark read" for one notice (``id``), "Mark all as read" without. With htmx the notice
    is swapped in place, and the top bar's badge with it."""
    raw_id = request.POST.get("id")
    if raw_id is None:
        services.notification_mark_read(user=request.user)
        return redirect("tiers:notifications")
    notice = notification_get(user=request.user, pk=_int(raw_id, 0))
    if notice is None:
        raise Http404("No such notification.")
    services.notification_mark_read(user=request.user, ids=[notice.pk])
    if request.headers.get("HX-Request"):
        notice.refresh_from_db(fields=["read_at"])
        context = {"n": _with_link(request.user, notice), "oob": True}
        return render(request, "tickets/tiers/_notification.html", context)
    page = _int(request.POST.get("page"), 1)
    return redirect(
        f"{reverse('tiers:notifications')}?page={page}" if page > 1 else "tiers:notifications"
    )


def _int(value, default):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
