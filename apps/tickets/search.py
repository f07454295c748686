"""Ticket search (the queue's search box, the API's ``q``): on PostgreSQL the generated
``search_vector`` of subject and description (migration 0010); elsewhere (SQLite, `make run`)
a LIKE over the two fields.

Each word matches as a prefix of a word of the ticket ("print" finds "printer"), all words must
match, and a tracking number finds its ticket. Search only narrows the list it is given: who may
see what is decided by the caller's scope, never here.

How the matches are read depends on how common the words are among the tickets the reader
may see, told from a sample of the newest of them (PostgreSQL's estimate for a prefix query is a
guess, and a wrong guess costs seconds at a million tickets). A word can be common in one team
and rare in the desk, or the other way round: the sample is read from the reader's own scope,
part by part (``parts``: each team, their own requests…), each by its index, newest first.

- common words (at least ``COMMON_IN_SAMPLE`` in ``SAMPLE`` match), or a scope smaller than the
  sample (a walk through it is short whatever it finds): the list is read
  in its own order, by its index, testing each ticket, and a page of matches is found within a
  few hundred rows. The test is written as ``ts_match_vq()`` so that PostgreSQL cannot choose
  the GIN index instead, which would read every match (tens of thousands) before the first page;
- rare words: their matches are read from the GIN index first (at most ``RARE`` of them, by
  id), then ordered: a few hundred rows, whatever the list's order.
"""

import re

from django.db import connection
from django.db.models import BooleanField, Q, TextField
from django.db.models.expressions import RawSQL

from .models import Ticket, reference_to_pk

CONFIG = "english"  # as the knowledge base's search
MAX_TERMS = 8
SAMPLE = 2_000  # the newest tickets that tell a common word from a rare one
COMMON_IN_SAMPLE = 10  # 0.5 %: at that density a page of matches is a few thousand rows away
RARE = 2_000  # matches read by id from the GIN index; past that, by a subquery
WORD = re.compile(r"\w+")


def ticket_search_q(value: str, *, parts: list[Q] | None = None) -> Q:
    """The condition a ticket must meet to match ``value`` (already stripped, not empty).
    ``parts``: the reader's scope as parts each readable newest first by an index
    (``selectors.ticket_visible_parts``); none for the whole desk (an admin)."""
    pk = reference_to_pk(value)
    text = _text_match(value, parts or [])
    return Q(pk=pk) | text if pk else text


def _text_match(value: str, parts: list[Q]) -> Q:
    terms = WORD.findall(value.lower())[:MAX_TERMS]
    if connection.vendor != "postgresql" or not terms:
        return Q(subject__icontains=value) | Q(description__icontains=value)
    query = " & ".join(f"{term}:*" for term in terms)
    if _walk_is_short(query, parts):
        return Q(
            RawSQL(
                'ts_match_vq("tickets_ticket"."search_vector", to_tsquery(%s::regconfig, %s))',
                [CONFIG, query],
                output_field=BooleanField(),
            )
        )
    ids = _matching_ids(query, limit=RARE + 1)
    if len(ids) <= RARE:
        return Q(pk__in=ids)
    # Rare where the reader looks, many elsewhere: read from the GIN index all the same
    # ("OFFSET 0" keeps PostgreSQL from folding the subquery into the list's own read).
    return Q(
        pk__in=RawSQL(
            "SELECT id FROM tickets_ticket "
            "WHERE search_vector @@ to_tsquery(%s::regconfig, %s) OFFSET 0",
            [CONFIG, query],
        )
    )


def _walk_is_short(query: str, parts: list[Q]) -> bool:
    """Whether reading the list in order finds a page of matches soon: the word is common in
    the newest SAMPLE tickets of the reader's scope, or the scope is smaller than that."""
    each = max(SAMPLE // max(len(parts), 1), 1)
    vectors = Ticket.objects.annotate(
        vector=RawSQL('"tickets_ticket"."search_vector"', [], output_field=TextField())
    )
    newest = [
        vectors.filter(part).order_by("-updated_at", "-id").values("vector")[:each]
        for part in parts
    ] or [vectors.order_by("-id").values("vector")[:SAMPLE]]
    compiled = [queryset.query.sql_with_params() for queryset in newest]
    union = " UNION ALL ".join(f"({sql})" for sql, _ in compiled)
    params = [param for _, part_params in compiled for param in part_params]
    with connection.cursor() as cursor:
        cursor.execute(
            # Reviewed (B608): the ORM's compiled SELECTs; every value is a parameter.
            "SELECT count(*), count(*) FILTER (WHERE newest.vector @@ "  # nosec B608
            f"to_tsquery(%s::regconfig, %s)) FROM ({union}) AS newest",
            [CONFIG, query, *params],
        )
        rows, matches = cursor.fetchone()
    return rows < each or matches * SAMPLE >= COMMON_IN_SAMPLE * rows


def _matching_ids(query: str, *, limit: int) -> list[int]:
    """Up to ``limit`` matches, read from the GIN index. MATERIALIZED keeps the LIMIT from the
    plan: PostgreSQL guesses a prefix matches 2 % of the tickets and, asked for a few, would
    read the table until it found them — every row, 380 ms at a million, for a word no ticket
    has."""
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH matching AS MATERIALIZED (SELECT id FROM tickets_ticket "
            "WHERE search_vector @@ to_tsquery(%s::regconfig, %s)) SELECT id FROM matching LIMIT %s",
            [CONFIG, query, limit],
        )
        return [row[0] for row in cursor.fetchall()]
