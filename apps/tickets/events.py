"""Ticket events: every kind declared once with a typed payload, and the reactions to them.

**Declaring.** Each kind of event is a frozen dataclass decorated with ``@declare(kind, …)``:
its fields are the payload, stored in ``TicketEvent.data``. The tickets app declares its own
kinds below; a feature app declares its kinds in its ``events.py``, imported by its
``AppConfig.ready()``. ``event_record`` stores only declared payloads, so no app can write a kind
(or a field) the history and the reactions do not know.

**Reacting.** Feature apps register reactions with ``reaction(name, order, fn, kinds)`` instead
of listening to a signal. The contract, which every service that changes a ticket relies on:

1. A service that changes tickets runs in ``ticket_transaction`` (a decorator and a context
   manager wrapping ``transaction.atomic``). Events it records, and those of the services it
   calls, are collected, not dispatched.
2. When the outermost ``ticket_transaction`` is about to commit, each reaction is called once
   per ticket with the list of that ticket's events it asked for, in ascending ``order``. So a
   reaction always runs after the ticket's own writes, and sees the ticket as the service left
   it.
3. A reaction may change the ticket (routing applies its rules) and record events; reactions
   after it in the order see those events in the same pass. Should a reaction record an event
   an *earlier* reaction asked for, that reaction runs again for just the new events (a second
   pass); a reaction is never handed the same event twice.
4. Everything happens inside the transaction: a failing reaction rolls the whole change back.
   Anything that leaves the process (e-mail) is written to the outbox here and sent after
   commit, so a rolled-back change sends nothing.
5. A service that raised discards its events (its savepoint is rolled back with them).

The order of the built-in reactions (see ``ORDER``): routing places a new ticket first; then
touch and hold takes the first accepting agent as holder; SLA clocks and time per tier follow
the ticket's final state; knowledge keeps "resolved by documentation" true; the holder's news
is written; and e-mail notifications come last, so they see every "notified" event.
"""

import dataclasses
import threading
from collections.abc import Callable, Iterable
from contextlib import ContextDecorator
from typing import Any

from django.db import transaction
from django.utils import timezone

from . import history as h
from .models import EventKind, Ticket, TicketEvent

# --- Declared kinds ---------------------------------------------------------------------------

_declared: dict[str, type] = {}


def declare(kind: str, sentence: str, *, hidden: Iterable[str] = ()):
    """Class decorator: this frozen dataclass is the payload of events of ``kind``.

    ``sentence`` is what the history says ("escalated the ticket"); ``hidden`` names payload
    fields that only machines read (ids are hidden anyway).
    """

    def register(cls):
        if not dataclasses.is_dataclass(cls):
            raise TypeError(f"{cls.__name__} must be a dataclass to declare event kind {kind!r}")
        if kind in _declared and _declared[kind].__qualname__ != cls.__qualname__:
            raise ValueError(f"event kind {kind!r} is declared twice")
        cls.kind, cls.sentence, cls.hidden = kind, sentence, frozenset(hidden)
        _declared[kind] = cls
        return cls

    return register


def declared_kinds() -> dict[str, type]:
    return dict(_declared)


def payload_type(kind: str) -> type | None:
    return _declared.get(kind)


def payload_of(event: TicketEvent):
    """The event's data as its declared dataclass (None for a kind no longer declared)."""
    cls = _declared.get(event.kind)
    if cls is None:
        return None
    names = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: v for k, v in (event.data or {}).items() if k in names})


@declare(EventKind.CREATED, "opened the ticket", hidden=["attachments"])
@dataclasses.dataclass(frozen=True)
class Created:
    channel: str
    attachments: int = 0

    def describe(self, event) -> str:
        how = h.CHANNEL_PHRASES.get(self.channel) or f"via {h.value_text(self.channel, 'channel')}"
        files = f", with {h.files(self.attachments)}" if self.attachments else ""
        return f"Opened{h.by(event)} {how}{files}"


@declare(EventKind.CHANGED, "changed")
@dataclasses.dataclass(frozen=True)
class Changed:
    source: str = ""
    assignee_id: int | None = None  # whom the change assigned (the history hides ids)

    def describe(self, event) -> str:
        return h.change_sentence(event, self.source)


@declare(EventKind.RESOLVED, "resolved the ticket")
@dataclasses.dataclass(frozen=True)
class Resolved:
    source: str = ""
    assignee_id: int | None = None  # whom the change assigned (the history hides ids)

    def describe(self, event) -> str:
        return h.status_sentence("Resolved", event, self.source)


@declare(EventKind.REOPENED, "reopened the ticket")
@dataclasses.dataclass(frozen=True)
class Reopened:
    source: str = ""
    assignee_id: int | None = None  # whom the change assigned (the history hides ids)

    def describe(self, event) -> str:
        return h.status_sentence("Reopened", event, self.source)


@declare(EventKind.CLOSED, "closed the ticket")
@dataclasses.dataclass(frozen=True)
class Closed:
    source: str = ""
    assignee_id: int | None = None  # whom the change assigned (the history hides ids)

    def describe(self, event) -> str:
        return h.status_sentence("Closed", event, self.source)


@declare(EventKind.REPLIED, "replied publicly", hidden=["by_agent", "attachments"])
@dataclasses.dataclass(frozen=True)
class Replied:
    comment_id: int
    by_agent: bool
    attachments: int = 0

    def describe(self, event) -> str:
        who = h.actor_name(event) or "The requester"
        files = f" (with {h.files(self.attachments)})" if self.attachments else ""
        return f"{who} replied{' to the requester' if self.by_agent else ''}{files}"


@declare(EventKind.NOTE_ADDED, "added an internal note", hidden=["by_agent", "attachments"])
@dataclasses.dataclass(frozen=True)
class NoteAdded:
    comment_id: int
    by_agent: bool = True
    attachments: int = 0

    def describe(self, event) -> str:
        files = f" (with {h.files(self.attachments)})" if self.attachments else ""
        return f"Internal note{h.by(event)}{files}"


@declare(EventKind.ATTACHED, "attached files")
@dataclasses.dataclass(frozen=True)
class Attached:
    filenames: list[str]

    def describe(self, event) -> str:
        return f"Files attached{h.by(event)}: {h.join(self.filenames)}"


@declare("followers_added", "added followers")
@dataclasses.dataclass(frozen=True)
class FollowersAdded:
    user_ids: list[int]
    names: list[str]
    source: str = ""

    def describe(self, event) -> str:
        who = h.join(self.names) or "People"
        verb = "was" if len(self.names) == 1 else "were"
        return f"{who} {verb} added as follower{'s' if len(self.names) != 1 else ''}" + h.by(
            event, self.source
        )


@declare("notified", "notified people")
@dataclasses.dataclass(frozen=True)
class Notified:
    """People who must hear of something: the mail app e-mails each of them."""

    user_ids: list[int]
    message: str = ""
    source: str = ""

    def describe(self, event) -> h.Line:
        # ``recipients`` (names) comes from the selector: the payload holds only ids.
        who = h.join(getattr(event, "recipients", None) or []) or "People"
        return h.Line(f"{who} notified{h.by(event, self.source)}", detail=self.message)


STATUS_EVENTS = {
    EventKind.RESOLVED: Resolved,
    EventKind.REOPENED: Reopened,
    EventKind.CLOSED: Closed,
    EventKind.CHANGED: Changed,
}


# --- Recording --------------------------------------------------------------------------------


def display(value: Any) -> Any:
    """A before/after value as people read it in the history (names, not ids)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple | set):
        return sorted(display(v) for v in value)
    return str(value)


def event_record(
    *, ticket: Ticket, payload, actor=None, changes: dict | None = None
) -> TicketEvent:
    """Record one event of a declared kind. It is stored with the others of the change, in one
    insert, just before the reactions run (and they run before the change commits)."""
    cls = type(payload)
    if _declared.get(getattr(cls, "kind", None)) is not cls:
        raise TypeError(f"{cls.__name__} is not a declared ticket event payload")
    event = TicketEvent(
        ticket=ticket,
        actor=actor,
        kind=cls.kind,
        changes=changes or {},
        data=dataclasses.asdict(payload),
        created_at=timezone.now(),
    )
    stack = _scopes()
    if stack:
        stack[-1].append(event)
    else:  # not inside a ticket_transaction: react at once, as a change of its own
        with ticket_transaction():
            _scopes()[-1].append(event)
    return event


def notify(*, ticket: Ticket, user_ids: Iterable[int], message: str, source: str, actor=None):
    """Record that these people must hear of ``message`` (the one way every app asks for it)."""
    ids = sorted({pk for pk in user_ids if pk})
    if not ids:
        return None
    return event_record(
        ticket=ticket,
        payload=Notified(user_ids=ids, message=message, source=source),
        actor=actor,
    )


# --- Reactions --------------------------------------------------------------------------------

# The order reactions run in; feature apps pass one of these (or a number between).
ORDER = {
    "routing": 10,
    "holder": 20,
    "sla": 30,
    "tier_time": 40,
    "knowledge": 50,
    "holder_news": 60,
    "insights": 70,
    "mail": 90,
}
MAX_PASSES = 3


@dataclasses.dataclass(frozen=True)
class Reaction:
    name: str
    order: int
    fn: Callable[[Ticket, list[TicketEvent]], None]
    kinds: frozenset[str] | None = None  # None: every kind
    needs_ids: bool = False  # the events must be stored first (e.g. to key an e-mail on them)

    def wants(self, event: TicketEvent) -> bool:
        return self.kinds is None or event.kind in self.kinds


_reactions: dict[str, Reaction] = {}


def reaction(
    name: str,
    fn: Callable[[Ticket, list[TicketEvent]], None],
    *,
    order: int,
    kinds=None,
    needs_ids: bool = False,
) -> None:
    """Register ``fn(ticket, events)``, called once per ticket per transaction (see above)."""
    _reactions[name] = Reaction(name, order, fn, frozenset(kinds) if kinds else None, needs_ids)


def reactions() -> list[Reaction]:
    return sorted(_reactions.values(), key=lambda r: (r.order, r.name))


_local = threading.local()


def _scopes() -> list[list[TicketEvent]]:
    if not hasattr(_local, "scopes"):
        _local.scopes = []
    return _local.scopes


class ticket_transaction(ContextDecorator):
    """``transaction.atomic`` that collects ticket events and reacts to them once, at the end
    of the outermost one. State lives on a thread-local stack, so one instance may be reused
    (as a decorator) and nested."""

    def __enter__(self):
        # Nested in another: no savepoint of its own. A refusal still discards this scope's
        # events, and whoever catches it and carries on must hold a savepoint (routing does).
        atomic = transaction.atomic(savepoint=not _scopes())
        atomic.__enter__()
        _scopes().append([])
        _atomics().append(atomic)
        return self

    def __exit__(self, exc_type, exc, tb):
        atomic = _atomics().pop()
        events = _scopes().pop()
        if exc_type is None:
            try:
                if _scopes():
                    _scopes()[-1].extend(events)
                else:
                    _dispatch(events)
            except BaseException as error:
                atomic.__exit__(type(error), error, error.__traceback__)
                raise
        return atomic.__exit__(exc_type, exc, tb)


def _atomics() -> list:
    if not hasattr(_local, "atomics"):
        _local.atomics = []
    return _local.atomics


def _store(events: list[TicketEvent]) -> None:
    """Insert the events not stored yet, in one query (a reaction may need their ids)."""
    unsaved = [e for e in events if e.pk is None]
    if unsaved:
        TicketEvent.objects.bulk_create(unsaved)


def _dispatch(events: list[TicketEvent]) -> None:
    """Run every reaction once per ticket over the collected events (see the module doc)."""
    history: dict[int, list[TicketEvent]] = {}
    tickets: dict[int, Ticket] = {}
    handed: dict[tuple[str, int], int] = {}  # how many of a ticket's events a reaction has seen

    def collect(new: list[TicketEvent]) -> None:
        for event in new:
            history.setdefault(event.ticket_id, []).append(event)
            tickets[event.ticket_id] = event.ticket

    collect(events)
    capture: list[TicketEvent] = []
    _scopes().append(capture)  # events recorded by reactions land here, not in a new dispatch
    try:
        for _ in range(MAX_PASSES):
            progressed = False
            for ticket_id in list(history):
                for r in reactions():
                    seen = handed.get((r.name, ticket_id), 0)
                    handed[(r.name, ticket_id)] = len(history[ticket_id])
                    todo = [e for e in history[ticket_id][seen:] if r.wants(e)]
                    if todo and r.needs_ids:
                        _store([e for ticket_events in history.values() for e in ticket_events])
                    if todo:
                        progressed = True
                        r.fn(tickets[ticket_id], todo)
                        collect(capture)
                        capture.clear()
            if not progressed:
                _store([e for ticket_events in history.values() for e in ticket_events])
                return
        raise RuntimeError("ticket reactions kept recording events for each other")
    finally:
        _scopes().pop()
