"""Reads of macros: which ones a person may use, and the picker's search."""

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404

from apps.accounts.models import User
from apps.core.numbers import as_id

from .models import Macro, Scope

SEARCH_LIMIT = 10
QUERY_MAX = 100


def macro_list_usable(*, user: User) -> QuerySet[Macro]:
    """The macros this agent may pick: their own, their teams' and everyone's. None for anyone
    without an agent seat (a macro changes a ticket as its sender)."""
    if not user.is_authenticated or not user.is_agent:
        return Macro.objects.none()
    return (
        Macro.objects.filter(is_active=True)
        .filter(
            Q(scope=Scope.PERSONAL, owner=user)
            | Q(scope=Scope.TEAM, team_id__in=user.team_ids)
            | Q(scope=Scope.GLOBAL)
        )
        .select_related("team")
        .annotate(
            # The agent's own first, then their teams', then everyone's.
            scope_rank=Case(
                When(scope=Scope.PERSONAL, then=Value(0)),
                When(scope=Scope.TEAM, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("scope_rank", "name", "pk")
    )


def macro_search(*, user: User, query: str) -> list[Macro]:
    """Up to SEARCH_LIMIT usable macros matching ``query`` in their name or text; names that
    start with it first, then names holding it, then texts holding it."""
    query = " ".join((query or "").split())[:QUERY_MAX]
    macros = macro_list_usable(user=user)
    if query:
        macros = macros.filter(Q(name__icontains=query) | Q(body__icontains=query)).annotate(
            match_rank=Case(
                When(name__istartswith=query, then=Value(0)),
                When(name__icontains=query, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        macros = macros.order_by("match_rank", "scope_rank", "name", "pk")
    return list(macros[:SEARCH_LIMIT])


def macro_get_usable(*, user: User, macro_id) -> Macro | None:
    pk = as_id(macro_id)
    return macro_list_usable(user=user).filter(pk=pk).first() if pk else None


def macro_list_personal(*, user: User) -> QuerySet[Macro]:
    return Macro.objects.filter(scope=Scope.PERSONAL, owner=user).order_by("name", "pk")


def macro_list_shared_with(*, user: User) -> QuerySet[Macro]:
    """The team and global macros this agent may use (read-only on their page)."""
    return macro_list_usable(user=user).exclude(scope=Scope.PERSONAL)


def macro_get_personal(*, user: User, pk: int) -> Macro:
    """The agent's own macro, or 404: someone else's (or a shared one) is no page of theirs."""
    macro = macro_list_personal(user=user).filter(pk=pk).first()
    if macro is None:
        raise Http404("No such macro.")
    return macro
