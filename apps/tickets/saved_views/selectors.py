"""Reads of saved views: each agent sees only their own."""

from django.db.models import QuerySet
from django.http import Http404

from apps.accounts.models import User

from .models import SavedView
from .queries import queue_query_clean


def saved_view_list_for(*, user: User) -> QuerySet[SavedView]:
    return SavedView.objects.filter(user=user).order_by("name", "pk")


def saved_view_get(*, user: User, pk: int) -> SavedView:
    """The agent's own view, or 404: another agent's is no business of theirs."""
    view = saved_view_list_for(user=user).filter(pk=pk).first()
    if view is None:
        raise Http404("No such view.")
    return view


def saved_view_chips(*, user: User, params) -> list[dict]:
    """The agent's views for the bar above the queue, marking the one the queue shows now."""
    current = queue_query_clean(params)
    return [
        {"view": view, "active": view.query == current} for view in saved_view_list_for(user=user)
    ]
