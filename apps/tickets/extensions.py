"""Where feature apps plug into tickets without tickets importing them.

Each feature app registers from its ``AppConfig.ready()``:

- ``resolve_guard(fn)``: ``fn(ticket) -> list[str]`` names what still blocks resolving it (open
  blocking subtasks, a missing root cause). Resolving is refused while any guard says something.
- ``resolve_question(...)``: something the person resolving (or closing) a ticket must decide,
  e.g. what becomes of subtasks still open. ``ask(ticket)`` says what there is to decide ("" when
  nothing); the answer travels in a field of its own (web form and API alike), a missing one is
  refused naming that field, and ``apply(ticket=, answer=, note=, actor=)`` carries it out in the
  resolving change, after the ticket's own event.
- ``ticket_panel(...)``: a template shown on the agent's (or requester's) ticket page, with a
  context function ``fn(request, ticket) -> dict``.
- ``queue_column(...)``: an extra column of the agent queue; ``annotate(queryset)`` adds what the
  column's template reads, in the same query (no per-row queries).
- ``nav_link(...)``: an entry in the top navigation for agents, leads or everyone signed in.
- ``queue_filter(...)``: a named quick filter of the agent queue (``?flag=<name>``), e.g.
  "waiting on subtasks"; ``apply(queryset)`` narrows the queue.
- ``reply_target(kind, fn)``: where an e-mailed reply to a message about something other than
  the ticket itself belongs, e.g. a subtask. ``fn(object_id=, author=, body=, files=)`` adds it
  there (raising ``ApplicationError`` when the author may not) and returns the ticket it is on.
- ``business_seconds_provider(fn)``: ``fn(ticket, start, end) -> float`` measures a span in the
  business time of the ticket's calendar (the SLA app provides it; wall-clock until then).
- ``mail_addition(name, kinds, fn)``: text added to the ticket e-mails of those ``kinds``
  ("ticket_resolved", "agent_replied", …, the mail app's template names). ``fn(ticket=, person=,
  event=) -> str`` is called for each recipient while the message is rendered (in the event's
  transaction) and returns "" to add nothing, e.g. the satisfaction links only its requester
  gets. A template places the additions with ``{{ additions }}``; where it does not, they are
  appended to the body.
- ``reply_option(...)``: a field of the agent's reply box (a macro picker). Its template is
  rendered inside the reply form with ``context(request, ticket)``; when the reply is sent, a
  non-empty value of its field goes to ``apply(ticket=, comment=, actor=, value=)`` in the
  reply's transaction, after the reply: a refusal (``ApplicationError``) takes the reply back too.

- ``merge_step(name, fn)``: what a feature app moves when a ticket is merged into another:
  ``fn(source=, target=, actor=)`` runs in the merge's transaction, after the thread and files
  moved and before the source is closed (subtasks move, so none blocks closing it).
- ``bulk_action(...)``: something to do with several tickets at once, offered where a list of
  tickets is shown to leads (the insights drill-down): a page at ``url_name`` that takes the
  chosen tickets as ``?ticket=<reference>&ticket=…`` and asks before it acts.

Panels with audience "portal_new" are shown beside the portal's new-ticket form (``ticket`` is
None there): the knowledge base offers its suggestions that way.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet


@dataclass(frozen=True)
class Panel:
    name: str
    template: str
    context: Callable = field(default=lambda request, ticket: {})
    audience: str = "agent"  # "agent" or "requester"
    order: int = 100


@dataclass(frozen=True)
class QueueColumn:
    name: str
    header: str
    # The ticket's cell as HTML (what it shows escaped with html.escape). Every row of every
    # queue page draws it, so it is a function: a template per cell cost about 0.1 ms, 300
    # of them on a page of 100 rows.
    cell: Callable[[Any], str]
    annotate: Callable[[QuerySet], QuerySet] = field(default=lambda qs: qs)
    order: int = 100
    # A ticket field (indexed: see the queue's indexes) or an annotation the queue may sort by
    # (ascending, empty last), offered as ?sort=<name>. ``annotate`` is then applied to the
    # whole queue, not only to the rows of its page.
    sortable: str | None = None


@dataclass(frozen=True)
class QueueFilter:
    name: str
    label: str
    apply: Callable[[QuerySet], QuerySet]
    order: int = 100
    # (field, value) when the quick filter is a shortcut for a filter field of the queue (the
    # tier chips and the tier select): the queue keeps the two saying the same thing.
    same_as: tuple[str, str] | None = None


@dataclass(frozen=True)
class NavLink:
    label: str
    url_name: str
    audience: str = "agent"  # "agent", "lead" or "all"
    order: int = 100
    # Within the audience, whether this person has a use for it (Triage for the triage team,
    # "My tasks" for people with a subtask): a page nobody can use is no entry.
    shown_to: Callable | None = None


@dataclass(frozen=True)
class ResolveQuestion:
    name: str  # the field carrying the answer: a form field, an API field, the error's field
    label: str
    choices: tuple[tuple[str, str], ...]
    ask: Callable  # fn(ticket) -> str: what there is to decide, "" when nothing
    apply: Callable  # fn(*, ticket, answer, note, actor) in the resolving change
    note_label: str = ""  # when set, a free-text field "<name>_note" goes with the answer
    order: int = 100

    @property
    def note_name(self) -> str:
        return f"{self.name}_note" if self.note_label else ""


@dataclass(frozen=True)
class ReplyOption:
    name: str  # the form field carrying its value
    template: str
    apply: Callable  # fn(*, ticket, comment, actor, value) in the reply's transaction
    context: Callable = field(default=lambda request, ticket: {})
    order: int = 100


@dataclass(frozen=True)
class BulkAction:
    label: str
    url_name: str
    order: int = 100


_resolve_guards: dict[str, Callable] = {}
_resolve_questions: dict[str, ResolveQuestion] = {}
_panels: dict[str, Panel] = {}
_queue_columns: dict[str, QueueColumn] = {}
_nav_links: dict[str, NavLink] = {}
_queue_filters: dict[str, QueueFilter] = {}
_business_seconds: list[Callable] = []
_reply_targets: dict[str, Callable] = {}
_mail_additions: dict[str, tuple[frozenset[str], Callable]] = {}
_reply_options: dict[str, ReplyOption] = {}
_bulk_actions: dict[str, BulkAction] = {}
_merge_steps: dict[str, Callable] = {}


def merge_step(name: str, fn: Callable) -> None:
    _merge_steps[name] = fn


def merge_steps() -> list[Callable]:
    return list(_merge_steps.values())


def bulk_action(action: BulkAction) -> None:
    _bulk_actions[action.url_name] = action


def bulk_actions() -> list[BulkAction]:
    return sorted(_bulk_actions.values(), key=lambda a: a.order)


def resolve_guard(name: str, fn: Callable) -> None:
    _resolve_guards[name] = fn


def resolve_question(question: ResolveQuestion) -> None:
    _resolve_questions[question.name] = question


def resolve_questions() -> list[ResolveQuestion]:
    """Every registered question (the fields an API or form may carry answers in)."""
    return sorted(_resolve_questions.values(), key=lambda q: (q.order, q.name))


def resolve_questions_for(ticket) -> list[tuple[ResolveQuestion, str]]:
    """The questions resolving this ticket asks now, each with its text."""
    asked = ((q, q.ask(ticket)) for q in resolve_questions())
    return [(q, text) for q, text in asked if text]


def resolve_answer_fields() -> set[str]:
    return {name for q in resolve_questions() for name in (q.name, q.note_name) if name}


def ticket_panel(panel: Panel) -> None:
    _panels[panel.name] = panel


def queue_column(column: QueueColumn) -> None:
    _queue_columns[column.name] = column


def queue_filter(flt: QueueFilter) -> None:
    _queue_filters[flt.name] = flt


def queue_filters() -> list[QueueFilter]:
    return sorted(_queue_filters.values(), key=lambda f: f.order)


def reply_target(kind: str, fn: Callable) -> None:
    _reply_targets[kind] = fn


def reply_target_for(kind: str) -> Callable | None:
    return _reply_targets.get(kind)


def reply_option(option: ReplyOption) -> None:
    _reply_options[option.name] = option


def reply_options() -> list[ReplyOption]:
    return sorted(_reply_options.values(), key=lambda o: (o.order, o.name))


def mail_addition(name: str, kinds, fn: Callable) -> None:
    _mail_additions[name] = (frozenset(kinds), fn)


def mail_additions(kind: str, *, ticket, person, event) -> str:
    """What the registered additions add to one e-mail of ``kind`` to ``person`` (in name order,
    so a message always reads the same)."""
    parts = (
        fn(ticket=ticket, person=person, event=event)
        for _, (kinds, fn) in sorted(_mail_additions.items())
        if kind in kinds
    )
    # Paragraphs of their own, one blank line apart, however each was written.
    text = "\n\n".join(part.strip("\n") for part in parts if part and part.strip())
    return text + "\n" if text else ""


def business_seconds_provider(fn: Callable) -> None:
    _business_seconds[:] = [fn]


def business_seconds(ticket, start, end) -> float | None:
    """Business seconds between two instants for this ticket, or None if no calendar app."""
    return _business_seconds[0](ticket, start, end) if _business_seconds else None


def nav_link(link: NavLink) -> None:
    _nav_links[link.url_name] = link


def nav_links_for(user) -> list[NavLink]:
    def allowed(link):
        return (
            link.audience == "all"
            or (link.audience == "agent" and user.is_agent)
            or (link.audience == "lead" and user.is_lead)
        ) and (link.shown_to is None or link.shown_to(user))

    return sorted((n for n in _nav_links.values() if allowed(n)), key=lambda n: n.order)


def resolve_blockers(ticket) -> list[str]:
    return [reason for guard in _resolve_guards.values() for reason in guard(ticket)]


def panels_for(audience: str) -> list[Panel]:
    return sorted((p for p in _panels.values() if p.audience == audience), key=lambda p: p.order)


def queue_columns() -> list[QueueColumn]:
    return sorted(_queue_columns.values(), key=lambda c: c.order)
