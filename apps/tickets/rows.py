"""The people and lookups a page of tickets names, loaded without joins.

Joined to the ticket rows (``select_related``), the requester, assignee, team, category,
location and product made PostgreSQL plan a seven-table join for every list page (4-5 ms of
planning and hashing for 25 rows, more than reading the rows). A page's tickets are read alone
instead; their people come in one query by id, and the lookups — a few dozen rows admins rarely
change — from a per-process copy (``apps.core.processcache``), re-read when any of them is
saved or deleted.
"""

from apps.accounts.models import Team, User
from apps.core.processcache import ProcessCache

from .models import Category, Location, Product

LOOKUPS = {"team": Team, "category": Category, "location": Location, "product": Product}


def _load() -> dict[str, dict]:
    return {name: {row.pk: row for row in model.objects.all()} for name, model in LOOKUPS.items()}


LOOKUP_ROWS = ProcessCache("ticket-lookups:version", _load)
LOOKUP_ROWS.forget_on_change(*LOOKUPS.values())


def with_people_and_lookups(tickets: list, people=("requester", "assignee")) -> list:
    """``tickets`` with ``people`` (user foreign keys) and every lookup set, in two reads
    (the lookups' usually from memory); the tickets themselves are returned, in order."""
    if not tickets:
        return tickets
    ids = {getattr(t, f"{name}_id") for t in tickets for name in people} - {None}
    users = User.objects.in_bulk(ids) if ids else {}
    lookups = LOOKUP_ROWS.get()
    if any(_unknown(ticket, lookups) for ticket in tickets):  # added since this process read them
        LOOKUP_ROWS.forget()
        lookups = LOOKUP_ROWS.get()
    meta = tickets[0]._meta
    # As prefetch_related fills them: the related object cached on the ticket, the id untouched.
    cached = {name: meta.get_field(name).set_cached_value for name in (*people, *lookups)}
    for ticket in tickets:
        for name in people:
            pk = getattr(ticket, f"{name}_id")
            cached[name](ticket, users.get(pk) if pk else None)
        for name, rows in lookups.items():
            pk = getattr(ticket, f"{name}_id")
            cached[name](ticket, rows.get(pk) if pk else None)
    return tickets


def _unknown(ticket, lookups: dict) -> bool:
    return any(
        (pk := getattr(ticket, f"{name}_id")) is not None and pk not in rows
        for name, rows in lookups.items()
    )
