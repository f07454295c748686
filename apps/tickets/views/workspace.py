"""The agent workspace: the team queue and the ticket page."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from ..selectors import ticket_get, ticket_list_for_queue


@login_required
def queue(request):
    tickets = ticket_list_for_queue(user=request.user)[:25]
    return render(request, "tickets/workspace/queue.html", {"tickets": tickets, "nav": "queue"})


@login_required
def ticket_detail(request, reference):
    ticket = ticket_get(user=request.user, key=reference)
    return render(request, "tickets/workspace/ticket.html", {"ticket": ticket})
