"""Tickets like this one: for spotting a duplicate before it is worked twice, on the agent's
ticket page and beside the requester's new-ticket form.

On PostgreSQL any word of the text may match the indexed ``search_vector`` (migration 0010),
ranked by how much of it matches; only the newest few hundred matches are ranked. Callers
give a scope their indexes serve (a team's active tickets, a requester's own): at a million
tickets an agent's panel costs 50-70 ms. Elsewhere (SQLite) the longest words are looked
for in the subject. Who may see what is the caller's scope.
"""

import re

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    FloatField,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL

from .models import ACTIVE_STATUSES, Ticket

CONFIG = "english"  # as apps.tickets.search
CANDIDATES = 300  # the newest matches that are ranked
WORDS = 8
WORD = re.compile(r"[^\W\d_]{3,}", re.UNICODE)


def _words(text: str) -> list[str]:
    seen = dict.fromkeys(w.lower() for w in WORD.findall(text or ""))
    return sorted(seen, key=len, reverse=True)[:WORDS]


def similar_tickets(
    *, scope: QuerySet[Ticket], text: str, exclude: int | None = None, limit: int = 5
) -> list[Ticket]:
    """The tickets of ``scope`` most like ``text``: open ones first, then the best match."""
    words = _words(text)
    if not words:
        return []
    candidates = scope.exclude(pk=exclude) if exclude else scope
    if connection.vendor == "postgresql":
        return _ranked_postgres(candidates, words, limit)
    return _sqlite(candidates, words, limit)


def _open_first(queryset: QuerySet[Ticket]) -> QuerySet[Ticket]:
    return queryset.annotate(
        is_open=Case(
            When(status__in=ACTIVE_STATUSES, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    )


def _ranked_postgres(candidates: QuerySet[Ticket], words: list[str], limit: int) -> list[Ticket]:
    query = " | ".join(words)
    matches = RawSQL(
        "tickets_ticket.search_vector @@ to_tsquery(%s::regconfig, %s)",
        [CONFIG, query],
        output_field=BooleanField(),
    )
    newest = (
        candidates.filter(Q(matches))
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)[:CANDIDATES]
    )
    rank = RawSQL(
        "ts_rank(tickets_ticket.search_vector, to_tsquery(%s::regconfig, %s))",
        [CONFIG, query],
        output_field=FloatField(),
    )
    ranked = (
        _open_first(Ticket.objects.filter(pk__in=list(newest)))
        .annotate(rank=rank)
        .select_related("team")
        .order_by("is_open", "-rank", "-created_at")
    )
    return list(ranked[:limit])


def _sqlite(candidates: QuerySet[Ticket], words: list[str], limit: int) -> list[Ticket]:
    any_word = Q()
    for word in words[:4]:
        any_word |= Q(subject__icontains=word)
    found = _open_first(candidates.filter(any_word)).select_related("team")
    return list(found.order_by("is_open", "-created_at")[:limit])
