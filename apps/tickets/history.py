"""The ticket history in plain language: one sentence per event, written by the event's kind.

A declared payload (see ``events.declare``) describes its own events with a method
``describe(self, event) -> str | Line``; the helpers below (who acted, what changed, which rule)
let every app write its sentences the same way. A kind without ``describe`` still reads as a
sentence ("Ana Agent applied a macro"), and an event of a kind no longer declared as "Updated by
…". Payload keys, ids and sources written for machines never reach the page.
"""

from dataclasses import dataclass

from apps.accounts.models import Tier

from .models import Channel, Priority, Resolution, Status

SYSTEM = "Switchboard"

# Fields whose history stores a code ("pending", 3): shown by their label.
CODED_FIELDS = {
    "status": dict(Status.choices),
    "priority": dict(Priority.choices),
    "tier": dict(Tier.choices),
    "channel": dict(Channel.choices),
    "resolution": dict(Resolution.choices),
}

# How a ticket came in, as the end of "Opened by Kenji Sato …".
CHANNEL_PHRASES = {
    Channel.WEB: "on the web",
    Channel.API: "through the API",
    Channel.EMAIL: "by e-mail",
    "phone": "by phone",
    "chat": "in a chat",
    "walk_in": "in person",
}
# Field names whose plain reading is not just the name without underscores.
FIELD_NAMES = {"is_regression": "regression"}


@dataclass(frozen=True)
class Line:
    """One row of the history: the sentence, and words a person wrote (shown quoted under it)."""

    text: str
    detail: str = ""


def field_name(name: str) -> str:
    """``root_cause`` as people say it: "root cause"."""
    return FIELD_NAMES.get(name) or str(name).replace("_", " ").strip().lower()


def value_text(value, field: str = "") -> str:
    """A stored value as people read it (labels for codes, lists joined, no JSON)."""
    labels = CODED_FIELDS.get(field)
    if labels and not isinstance(value, list | tuple | dict):
        value = labels.get(value, value)
    if value in (None, "", [], {}):
        return "nothing"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):  # not written by any kind today: say what is in it, not braces
        return ", ".join(f"{field_name(k)} {value_text(v)}" for k, v in value.items())
    return str(value)


def join(items) -> str:
    """ "a", "a and b", "a, b and c"."""
    items = [str(i) for i in items if str(i)]
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def quoted(items) -> str:
    return join(f"“{i}”" for i in items)


def actor_name(event) -> str:
    actor = getattr(event, "actor", None)
    return (actor.get_full_name() or actor.email) if actor is not None else ""


def rule_names(source: str) -> list[str]:
    """The rules a source names ("rule: Wi-Fi at stores; rule: VIP"), in order."""
    parts = (p.strip() for p in (source or "").split(";"))
    return [p[len("rule:") :].strip() for p in parts if p.startswith("rule:")]


def source_phrase(source: str) -> str:
    """Who acted when no person did, or "" when the source is only a machine's key."""
    rules = rule_names(source)
    if rules:
        return f"rule{'s' if len(rules) > 1 else ''} {quoted(rules)}"
    # Sources written for people have spaces ("SLA policy “Gold”, 30 min after breach");
    # keys such as "holder_escalated" or "tiers:escalated" are for machines.
    if source and " " in source.strip():
        return source.strip()
    return ""


def by(event, source: str = "") -> str:
    """ " by Lena Fischer", " by rule “Wi-Fi at stores”", or "" when Switchboard acted alone."""
    who = actor_name(event) or source_phrase(source)
    return f" by {who}" if who else ""


def by_or_system(event, source: str = "") -> str:
    return by(event, source) or f" by {SYSTEM}"


def files(count: int) -> str:
    return f"{count} file{'s' if count != 1 else ''}"


def status_sentence(verb: str, event, source: str = "") -> str:
    """ "Resolved by Lena Fischer: workaround given" (and any other field the change set)."""
    changes = event.changes or {}
    text = verb + by_or_system(event, source)
    resolution = changes.get("resolution")
    if isinstance(resolution, dict) and resolution.get("after"):
        text += ": " + value_text(resolution["after"], "resolution").lower()
    rest = changes_text(changes, skip=("status", "resolution"))
    return f"{text} ({rest})" if rest else text


def action_label(name: str) -> str:
    """A ticket action by its label ("Escalate one tier"), never by its registry key."""
    from apps.core.errors import ApplicationError

    from .actions import get

    try:
        return get(name).label
    except ApplicationError:  # an action since removed: its name, readable
        return field_name(name)


def change_sentence(event, source: str = "") -> str:
    """ "Priority changed from Normal to High by Lena Fischer"; an agent assigning the ticket to
    themself reads "Taken by Lena Fischer" (with whatever else changed in brackets)."""
    changes = event.changes or {}
    assignee = changes.get("assignee")
    who = actor_name(event)
    if who and isinstance(assignee, dict) and assignee.get("after") == who:
        rest = changes_text(changes, skip=("assignee",))
        return f"Taken by {who}" + (f" ({rest})" if rest else "")
    return capitalised(changes_text(changes) or "updated") + by_or_system(event, source)


def change_phrase(field: str, change) -> str:
    if isinstance(change, dict) and ("before" in change or "after" in change):
        before, after = change.get("before"), change.get("after")
    else:
        before, after = None, change
    name = field_name(field)
    if before in (None, "", []):
        return f"{name} set to {value_text(after, field)}"
    if after in (None, "", []):
        return f"{name} cleared (was {value_text(before, field)})"
    return f"{name} changed from {value_text(before, field)} to {value_text(after, field)}"


def changes_text(changes: dict | None, *, skip=()) -> str:
    """ "priority changed from Normal to High and team set to Networks"."""
    return join(
        change_phrase(field, change)
        for field, change in (changes or {}).items()
        if field not in skip
    )


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def describe(event) -> Line:
    """The history's row for one event: its kind's sentence, or a fallback people can read."""
    from .events import payload_of, payload_type

    declared = payload_type(event.kind)
    try:
        payload = payload_of(event) if declared else None
    except TypeError:  # stored before a field it now requires was declared: say it plainly
        payload = None
    if payload is not None and hasattr(payload, "describe"):
        line = payload.describe(event)
        return line if isinstance(line, Line) else Line(str(line))
    changed = changes_text(event.changes)
    if declared is not None:
        who = actor_name(event) or SYSTEM
        text = f"{who} {declared.sentence}"
        return Line(f"{text}: {changed}" if changed else text)
    text = f"Updated{by_or_system(event)}"
    return Line(f"{text}: {changed}" if changed else text)
