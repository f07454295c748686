"""Writes of saved views. An agent saves, renames and deletes only their own."""

from django.db import IntegrityError, transaction

from apps.accounts.models import User
from apps.core.errors import ApplicationError
from apps.core.text import single_line

from .models import SavedView
from .queries import queue_query_clean

NAME_MAX = 60  # SavedView.name's max_length
VIEWS_MAX = 30  # per agent: a bar of chips, not an archive


def _name(value) -> str:
    return single_line(value, "name", NAME_MAX, message="Give the view a name.")


def _unique(write, name: str):
    try:
        with transaction.atomic():
            return write()
    except IntegrityError:
        raise ApplicationError(f"You already have a view called “{name}”.", field="name") from None


def saved_view_create(*, user: User, name: str, params) -> SavedView:
    """Save the queue's current filters and sort (``params``, as the queue got them)."""
    if not user.is_agent:
        raise ApplicationError("Only agents have a queue to save.", code="forbidden")
    name = _name(name)
    if SavedView.objects.filter(user=user).count() >= VIEWS_MAX:
        raise ApplicationError(
            f"You have {VIEWS_MAX} views already: delete one you no longer use first.",
            field="name",
        )
    query = queue_query_clean(params)
    return _unique(lambda: SavedView.objects.create(user=user, name=name, query=query), name)


def saved_view_rename(*, view: SavedView, actor: User, name: str) -> SavedView:
    if view.user_id != actor.pk:
        raise ApplicationError("You can rename only your own views.", code="forbidden")
    view.name = _name(name)
    _unique(lambda: view.save(update_fields=["name"]), view.name)
    return view


def saved_view_delete(*, view: SavedView, actor: User) -> None:
    if view.user_id != actor.pk:
        raise ApplicationError("You can delete only your own views.", code="forbidden")
    view.delete()
