"""The agent workspace: the queue of the agent's teams and the agent's ticket page."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect, push_url

from apps.accounts.models import Tier, User
from apps.core.errors import ApplicationError
from apps.core.numbers import as_id

from .. import extensions
from ..forms import AgentReplyForm, QueueFilterSet, TicketPropertiesForm
from ..merge import merge_target
from ..permissions import can_work
from ..presence import presence_list, presence_ping
from ..saved_views.selectors import saved_view_chips
from ..selectors import (
    attachment_list_for,
    comment_list_for,
    event_list_for,
    ticket_get,
    ticket_queue_page,
    ticket_queue_scope,
)
from ..services import comment_add, ticket_take, ticket_update
from ..timekeeping.services import time_asked, time_totals
from .common import panels_html, reply_options_html

PAGE_SIZES = (25, 50, 100)


def agent_required(view):
    """Requesters have no business in the desk: send them to their own requests."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not request.user.is_agent:
            return redirect("portal:tickets")
        return view(request, *args, **kwargs)

    return wrapper


def _page_size(request) -> int:
    value = request.GET.get("per", "")
    return as_id(value) if as_id(value) in PAGE_SIZES else PAGE_SIZES[0]


def _agreeing(data, flags: dict) -> bool:
    """Make quick filters that stand for a field value (the tier chips) and that field's select
    say the same, in place. The control the person just changed wins and the other follows:
    ``flag_was`` is the chip the page showed (absent on a typed or shared URL, where a chip in
    it counts as chosen); a chip not changed leaves the select in charge. Returns whether the
    result differs from what was sent, so the page redraws those controls."""
    chips = {f.name: f.same_as for f in flags.values() if f.same_as}
    flag, flag_was = data.get("flag", ""), data.get("flag_was")
    sent = (flag, *(data.get(field, "") for field, _ in chips.values()))
    clicked = flag_was is None or flag != flag_was
    for field in dict(chips.values()):
        value = data.get(field, "")
        chip = chips.get(flag)
        if clicked and chip and chip[0] == field:
            value = chip[1]
        elif clicked and (chips.get(flag_was) or ("",))[0] == field:
            value = ""  # the chip left behind had set the field: choosing another clears it
        if flag == "" or (chips.get(flag) or ("",))[0] == field:
            flag = next((name for name, same in chips.items() if same == (field, value)), "")
        data[field] = value
    data["flag"] = flag
    data.pop("flag_was", None)
    return sent != (flag, *(data.get(field, "") for field, _ in chips.values()))


@agent_required
def queue(request):
    data = request.GET.copy()
    data.setdefault("status", "active")  # an explicit empty status means "any"
    tickets = ticket_queue_scope(user=request.user)
    flags = {f.name: f for f in extensions.queue_filters()}
    redraw = _agreeing(data, flags)
    flag = flags.get(data.get("flag", ""))
    if flag:
        tickets = flag.apply(tickets)
    filterset = QueueFilterSet(data, queryset=tickets, request=request, user=request.user)
    page = ticket_queue_page(
        user=request.user,
        queryset=filterset.qs,
        number=request.GET.get("page"),
        per_page=_page_size(request),
        # A search counts no further than its page ("25+ tickets"): each match counted is a
        # ticket read and tested, where a plain list counts from its index alone.
        cap=_page_size(request) if data.get("q", "").strip() else None,
    )
    context = {
        "filter": filterset,
        "page": page,
        "per": _page_size(request),
        "page_sizes": PAGE_SIZES,
        "flags": flags.values(),
        "flag": flag,
        "tier": data.get("tier", ""),
        "tiers": [(str(value), label) for value, label in Tier.choices],
        "redraw": redraw,
        "columns": extensions.queue_columns(),
        "saved_views": saved_view_chips(user=request.user, params=data),
        "people": User.objects.filter(
            team_memberships__team__in=request.user.team_ids, is_active=True
        ).distinct(),
        "show_team": request.user.is_superuser or len(request.user.team_ids) > 1,
        "query": _query(data, "page"),
        "query_no_flag": _query(data, "page", "flag"),
        "query_no_per": _query(data, "page", "per"),
        # The dates in force, each with the link that clears it.
        "date_chips": [
            {"label": label, "value": value, "clear": _query(data, "page", name)}
            for name, label, value in filterset.dates_in_force
        ],
        "nav": "queue",
    }
    template = "tickets/workspace/queue.html"
    if request.htmx and not request.htmx.boosted:
        template = "tickets/workspace/_queue_results.html"
        context["oob"] = True  # the filter controls that must follow come along out of band
        response = render(request, template, context)
        return push_url(response, f"{reverse('workspace:queue')}?{context['query']}")
    return render(request, template, context)


def _query(data, *without: str) -> str:
    params = data.copy()
    for name in without:
        params.pop(name, None)
    return params.urlencode()


def _workable_ticket(request, reference):
    """404 for anyone who may not work the ticket, whether or not it exists."""
    if not request.user.is_agent:
        raise Http404("No such ticket.")
    ticket = ticket_get(user=request.user, key=reference)
    if not can_work(request.user, ticket):
        raise Http404("No such ticket.")
    return ticket


def _ticket_context(request, ticket, *, reply_form=None, props_form=None) -> dict:
    return {
        "ticket": ticket,
        "comments": comment_list_for(user=request.user, ticket=ticket),
        "ticket_files": attachment_list_for(user=request.user, ticket=ticket).filter(
            comment__isnull=True
        ),
        "events": event_list_for(ticket=ticket),
        "reply_form": reply_form or AgentReplyForm(),
        "props_form": props_form or TicketPropertiesForm(ticket=ticket),
        "is_mine": ticket.assignee_id == request.user.pk,
        # A resolved or closed ticket has nothing left to take (the service refuses too).
        "can_take": ticket.assignee_id != request.user.pk and ticket.is_active,
        "panels": panels_html(request, "agent", ticket),
        "others": presence_list(ticket=ticket, exclude=request.user),
        "reply_options": reply_options_html(request, ticket),
        "time_asked": time_asked(ticket),
        "time_logged": time_totals(ticket),
        "cost_currency": settings.COST_CURRENCY,
        "nav": "queue",
    }


@login_required
def ticket_detail(request, reference):
    ticket = _workable_ticket(request, reference)
    if ticket.merged_into_id:
        return redirect("workspace:ticket", reference=merge_target(ticket).reference)
    return render(request, "tickets/workspace/ticket.html", _ticket_context(request, ticket))


@login_required
@require_POST
def ticket_reply(request, reference):
    ticket = _workable_ticket(request, reference)
    form = AgentReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            comment_add(
                ticket=ticket,
                author=request.user,
                body=form.cleaned_data["body"],
                internal=form.is_internal,
                attachments=form.cleaned_data["attachments"],
                options={o.name: request.POST.get(o.name, "") for o in extensions.reply_options()},
                time_spent=form.cleaned_data["time_spent"],
            )
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            what = "Internal note added" if form.is_internal else "Reply sent to the requester"
            messages.success(request, f"{what}.")
            return redirect("workspace:ticket", reference=ticket.reference)
    context = _ticket_context(request, ticket, reply_form=form)
    return render(request, "tickets/workspace/ticket.html", context, status=400)


@login_required
@require_POST
def ticket_properties(request, reference):
    """Change fields. With htmx the panel, header and history update in place."""
    ticket = _workable_ticket(request, reference)
    form = TicketPropertiesForm(request.POST, ticket=ticket)
    changed = {}
    if form.is_valid():
        try:
            changed = ticket_update(
                ticket=ticket,
                actor=request.user,
                data=form.changed_data_for_service(),
                answers=form.answers(),
            )
        except ApplicationError as error:
            form.add_service_error(error)
    saved = not form.errors
    if saved and not can_work(request.user, ticket):
        return _moved_away(request, ticket)
    if not request.htmx:
        if saved:
            messages.success(request, _changed_message(changed))
            return redirect("workspace:ticket", reference=ticket.reference)
        context = _ticket_context(request, ticket, props_form=form)
        return render(request, "tickets/workspace/ticket.html", context, status=400)
    if saved:
        ticket = _workable_ticket(request, reference)  # re-read: names, tags, maybe a new team
        form = TicketPropertiesForm(ticket=ticket)
    context = {
        **_ticket_context(request, ticket, props_form=form),
        "saved": _changed_message(changed) if saved else "",
        "oob": True,
    }
    return render(request, "tickets/workspace/_properties_response.html", context)


def _moved_away(request, ticket):
    """The agent sent the ticket to a team they are not in: back to their queue."""
    messages.success(request, f"{ticket.reference} is now with {ticket.team or 'no team'}.")
    if request.htmx:
        return HttpResponseClientRedirect(reverse("workspace:queue"))
    return redirect("workspace:queue")


def _changed_message(changed: dict) -> str:
    if not changed:
        return "Nothing changed."
    return "Saved: " + ", ".join(name.replace("_", " ") for name in changed) + "."


@login_required
@require_POST
def ticket_take_view(request, reference):
    ticket = _workable_ticket(request, reference)
    try:
        ticket_take(ticket=ticket, agent=request.user)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"{ticket.reference} is now assigned to you.")
    return redirect("workspace:ticket", reference=ticket.reference)


@login_required
@require_POST
def ticket_presence(request, reference):
    """The page's ping: "I am viewing (or replying to) this ticket"; answers with who else is."""
    ticket = _workable_ticket(request, reference)
    presence_ping(ticket=ticket, user=request.user, state=request.POST.get("state", ""))
    others = presence_list(ticket=ticket, exclude=request.user)
    return render(request, "tickets/workspace/_presence_list.html", {"others": others})
