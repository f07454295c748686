"""Who else is on a ticket right now ("Lena is replying"), kept in the cache, never the database.

Each agent's ticket page pings every ~20 s; a ping lives for ``TTL`` seconds, so a closed tab
drops out within a minute. One cache entry per person and ticket (so two agents never overwrite
each other's ping) plus a short index of who pinged the ticket. Losing the cache (a Redis
restart) loses nothing that matters: the next pings rebuild it.
"""

import time
from dataclasses import dataclass

from django.core.cache import cache

from apps.accounts.models import User

from .models import Ticket

TTL = 45  # seconds: two pings (every 20 s) may be late before someone counts as gone
STATES = ("viewing", "replying")


@dataclass(frozen=True)
class Presence:
    user_id: int
    name: str
    state: str
    at: float


def _person_key(ticket_id: int, user_id: int) -> str:
    return f"presence:{ticket_id}:{user_id}"


def _index_key(ticket_id: int) -> str:
    return f"presence:{ticket_id}"


def presence_ping(*, ticket: Ticket, user: User, state: str, now: float | None = None) -> None:
    """Record that ``user`` has the ticket open (``state`` "viewing" or "replying")."""
    now = time.time() if now is None else now
    state = state if state in STATES else STATES[0]
    name = user.get_short_name() or user.email
    cache.set(_person_key(ticket.pk, user.pk), (name, state, now), TTL)
    # The index may lose an id to a concurrent ping of someone else; their next ping adds it back.
    ids = set(cache.get(_index_key(ticket.pk)) or ()) | {user.pk}
    cache.set(_index_key(ticket.pk), sorted(ids), TTL * 2)


def presence_list(*, ticket: Ticket, exclude: User | None = None, now: float | None = None):
    """The people whose ping is fresh, replying first, then by name; ``exclude`` (the reader)
    is left out. Timestamps are checked here too, not only by the cache's expiry."""
    now = time.time() if now is None else now
    ids = [pk for pk in cache.get(_index_key(ticket.pk)) or () if not exclude or pk != exclude.pk]
    found = cache.get_many([_person_key(ticket.pk, pk) for pk in ids])
    people = []
    for pk in ids:
        entry = found.get(_person_key(ticket.pk, pk))
        if entry and now - entry[2] <= TTL:
            people.append(Presence(user_id=pk, name=entry[0], state=entry[1], at=entry[2]))
    return sorted(people, key=lambda p: (p.state != "replying", p.name))
