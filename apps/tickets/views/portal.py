"""The requester's portal: open a ticket, follow "my tickets", reply."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from ..selectors import comment_list_for, ticket_get, ticket_list_for_requester


@login_required
def ticket_list(request):
    tickets = ticket_list_for_requester(user=request.user)
    return render(request, "tickets/portal/list.html", {"tickets": tickets, "nav": "portal"})


@login_required
def ticket_new(request):
    return render(request, "tickets/portal/new.html", {"nav": "new"})


@login_required
def ticket_detail(request, reference):
    ticket = ticket_get(user=request.user, key=reference)
    comments = comment_list_for(user=request.user, ticket=ticket)
    return render(request, "tickets/portal/detail.html", {"ticket": ticket, "comments": comments})
