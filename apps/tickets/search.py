"""Ticket search (the queue's search box, the API's ``q``): on PostgreSQL the generated
``search_vector`` of subject and description (migration 0010); elsewhere (SQLite, `make run`)
a LIKE over the two fields.

Each word matches as a prefix of a word of the ticket ("print" finds "printer"), all words must
match, and a tracking number finds its ticket. Search only narrows the list it is given: who may
see what is decided by the caller's scope, never here.

How the matches are read depends on how common the words are, told from a sample of the newest
tickets (PostgreSQL's estimate for a prefix query is a guess, and a wrong guess costs seconds at
a million tickets):

- common words (at least ``COMMON_IN_SAMPLE`` of the ``SAMPLE`` newest match): the list is read
  in its own order, by its index, testing each ticket, and a page of matches is found within a
  few hundred rows. The test is written as ``ts_match_vq()`` so that PostgreSQL cannot choose
  the GIN index instead, which would read every match (tens of thousands) before the first page;
- rare words: their matches are read from the GIN index first (at most ``RARE`` of them, by
  id), then ordered: a few hundred rows, whatever the list's order.
"""

import re

from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

from .models import reference_to_pk

CONFIG = "english"  # as the knowledge base's search
MAX_TERMS = 8
SAMPLE = 2_000  # the newest tickets that tell a common word from a rare one
COMMON_IN_SAMPLE = 10  # 0.5 %: at that density a page of matches is a few thousand rows away
RARE = 2_000  # matches read by id from the GIN index; past that, by a subquery
WORD = re.compile(r"\w+")


def ticket_search_q(value: str) -> Q:
    """The condition a ticket must meet to match ``value`` (already stripped, not empty)."""
    pk = reference_to_pk(value)
    text = _text_match(value)
    return Q(pk=pk) | text if pk else text


def _text_match(value: str) -> Q:
    terms = WORD.findall(value.lower())[:MAX_TERMS]
    if connection.vendor != "postgresql" or not terms:
        return Q(subject__icontains=value) | Q(description__icontains=value)
    query = " & ".join(f"{term}:*" for term in terms)
    if _matches_in_sample(query) >= COMMON_IN_SAMPLE:
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
    # Rare among the newest tickets, many in the history: read from the GIN index all the same
    # ("OFFSET 0" keeps PostgreSQL from folding the subquery into the list's own read).
    return Q(
        pk__in=RawSQL(
            "SELECT id FROM tickets_ticket "
            "WHERE search_vector @@ to_tsquery(%s::regconfig, %s) OFFSET 0",
            [CONFIG, query],
        )
    )


def _matches_in_sample(query: str) -> int:
    """How many of the SAMPLE newest tickets match: read from the end of the primary key."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT search_vector FROM tickets_ticket "
            "ORDER BY id DESC LIMIT %s) AS newest "
            "WHERE newest.search_vector @@ to_tsquery(%s::regconfig, %s)",
            [SAMPLE, CONFIG, query],
        )
        return cursor.fetchone()[0]


def _matching_ids(query: str, *, limit: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM tickets_ticket WHERE search_vector @@ to_tsquery(%s::regconfig, %s) "
            "LIMIT %s",
            [CONFIG, query, limit],
        )
        return [row[0] for row in cursor.fetchall()]
