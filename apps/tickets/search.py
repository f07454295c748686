"""Ticket search (the queue's search box, the API's ``q``): on PostgreSQL the generated
``search_vector`` of subject and description (migration 0010) read through its GIN index;
elsewhere (SQLite, `make run`) a LIKE over the two fields.

Each word matches as a prefix of a word of the ticket ("print" finds "printer"), all words must
match, and a tracking number finds its ticket. Search only narrows the list it is given: who may
see what is decided by the caller's scope, never here.
"""

import re

from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

from .models import reference_to_pk

CONFIG = "english"  # as the knowledge base's search
MAX_TERMS = 8
COMMON = 2_000  # matches from which reading the list in order beats reading the matches
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
    if _common(query):
        # Many tickets match: reading the list in its own order finds a page of them soon.
        matches = RawSQL(
            '"tickets_ticket"."search_vector" @@ to_tsquery(%s::regconfig, %s)',
            [CONFIG, query],
            output_field=BooleanField(),
        )
        return Q(matches)
    # Few match: read them from the GIN index first ("OFFSET 0" keeps PostgreSQL from folding
    # the subquery in). Its estimate for a prefix query is a guess, and guessing "many" made it
    # walk a whole team's tickets in queue order testing each one (seconds at a million).
    return Q(
        pk__in=RawSQL(
            "SELECT id FROM tickets_ticket "
            "WHERE search_vector @@ to_tsquery(%s::regconfig, %s) OFFSET 0",
            [CONFIG, query],
        )
    )


def _common(query: str) -> bool:
    """Whether at least COMMON tickets match: counted from the GIN index, no further."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT 1 FROM tickets_ticket "
            "WHERE search_vector @@ to_tsquery(%s::regconfig, %s) LIMIT %s) AS found",
            [CONFIG, query, COMMON],
        )
        return cursor.fetchone()[0] >= COMMON
