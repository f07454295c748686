"""An agent opens a ticket for someone on the phone, in a chat or at the desk."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from apps.core.errors import ApplicationError

from ..assisted import people_find, ticket_create_for_caller
from ..forms import CallerTicketForm
from ..permissions import can_work
from .workspace import agent_required


@agent_required
def caller_ticket_new(request):
    form = CallerTicketForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            ticket = ticket_create_for_caller(
                agent=request.user, custom=form.custom_answers(), **form.ticket_data()
            )
        except ApplicationError as error:
            form.add_service_error(error)
        else:
            return _opened(request, ticket)
    status = 400 if form.is_bound else 200
    context = {"form": form, "nav": "queue"}
    return render(request, "tickets/workspace/caller_new.html", context, status=status)


def _opened(request, ticket):
    """The agent goes on with the ticket if routing gave it to a team of theirs; otherwise they
    learn where it went and can take the next call."""
    where = ticket.team.name if ticket.team else "triage"
    messages.success(
        request,
        f"{ticket.reference} opened for {ticket.requester}, placed with {where}. "
        "They get its tracking number by e-mail.",
    )
    if can_work(request.user, ticket):
        return redirect("workspace:ticket", reference=ticket.reference)
    return redirect("workspace:caller-new")


@agent_required
@require_GET
def people_found(request):
    """The people matching what the agent typed, as options of the e-mail field's datalist."""
    people = people_find(query=request.GET.get("requester_email", ""))
    return render(request, "tickets/workspace/_people_found.html", {"people": people})
