"""Presentation of ticket history for the templates: any event kind, readable."""

from django import template
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timesince
from django.utils.timezone import localtime

from apps.accounts.models import Tier
from apps.core.durations import minutes_text

from .. import history
from ..events import payload_type
from ..models import Channel, Priority, Status

register = template.Library()


# Fields whose history stores a code ("pending", 3): shown by their label.
CODED_FIELDS = {
    "status": dict(Status.choices),
    "priority": dict(Priority.choices),
    "tier": dict(Tier.choices),
    "channel": dict(Channel.choices),
}


def _humanise(name: str) -> str:
    return str(name).replace("_", " ").strip().capitalize()


def _value(value) -> str:
    if value in (None, "", []):
        return "—"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return ", ".join(f"{_humanise(k).lower()}: {_value(v)}" for k, v in value.items())
    return str(value)


@register.filter
def event_line(event) -> history.Line:
    """The event as one plain sentence its kind writes (see ``apps.tickets.history``)."""
    return history.describe(event)


@register.filter
def event_label(event) -> str:
    """What happened, as the verb phrase its kind declares (a retired kind by its name)."""
    declared = payload_type(event.kind)
    return declared.sentence if declared else _humanise(event.kind).lower()


@register.filter
def event_kind_class(event) -> str:
    return "ev-" + "".join(c if c.isalnum() else "-" for c in event.kind.lower())


@register.filter
def event_changes(event) -> list[dict]:
    """[{field, before, after}] from ``changes``; tolerant of any shape a feature app stored."""
    rows = []
    for field, change in (event.changes or {}).items():
        if isinstance(change, dict) and ("before" in change or "after" in change):
            before, after = change.get("before"), change.get("after")
        else:
            before, after = None, change
        labels = CODED_FIELDS.get(field)
        if labels:
            before, after = labels.get(before, before), labels.get(after, after)
        rows.append(
            {
                "field": _humanise(field),
                "before": _value(before),
                "after": _value(after),
            }
        )
    return rows


@register.filter
def event_data(event) -> list[dict]:
    """[{key, value}] of ``data`` worth showing a person, skipping empty keys, references
    (``*_id``) and those the kind declares hidden. People a notification went to are shown by
    name (``recipients``, from the selector)."""
    declared = payload_type(event.kind)
    hidden = declared.hidden if declared else frozenset()
    rows = [
        {"key": _humanise(key), "value": _value(value)}
        for key, value in (event.data or {}).items()
        if key not in hidden
        and not key.endswith(("_id", "_ids"))
        and value not in (None, "", [], {}, 0)
    ]
    if getattr(event, "recipients", None):
        rows.insert(0, {"key": "To", "value": ", ".join(event.recipients)})
    return rows


@register.filter
def ago(value) -> str:
    """ "3 days ago": the largest unit only, to keep table cells short."""
    if not value:
        return ""
    text = timesince(value, depth=1)
    return "just now" if text.startswith("0\xa0") else f"{text} ago"


@register.filter
def status_short(ticket) -> str:
    """The status in a word, for narrow table cells ("Pending" rather than "Pending on …")."""
    return ticket.get_status_display().split(" on ")[0]


@register.filter
def minutes(value) -> str:
    """90 → "1 h 30 min" (time logged)."""
    return minutes_text(value)


# The queue's fixed cells, Ref to Updated. Drawn with template tags, a row's two dozen
# variables (each resolved, localised and escaped on its own) and its reversed URL cost about a
# millisecond: a quarter of a 25-row page and most of a 100-row one. Written once here, a row
# costs a few dozen microseconds; the feature apps' columns stay templates (QueueColumn).
QUEUE_CELLS = (
    '<td class="ref"><a href="{url}">{reference}</a></td>'
    '<td class="subject"><a href="{url}">{subject}</a>{category}</td>'
    '<td class="small person">{requester}</td>'
    '<td><span class="badge status-{status}" title="{status_label}">{status_short}</span></td>'
    '<td><span class="badge prio-{priority}">{priority_label}</span></td>'
    '<td class="small nowrap">{team} <span class="badge tier">T{tier}</span></td>'
    '<td class="small person">{assignee}</td>'
    '<td class="small nowrap"><time datetime="{iso}" title="{title}">{ago}</time></td>'
)
# Reviewed: a constant.
UNASSIGNED = mark_safe('<span class="muted">Unassigned</span>')  # nosec B308 B703
STATUS_LABELS = dict(Status.choices)
PRIORITY_LABELS = dict(Priority.choices)


@register.filter
def queue_cells(ticket) -> SafeString:
    """A queue row's cells before the feature columns (the ticket with its people, team and
    category loaded)."""
    url = reverse("workspace:ticket", args=[ticket.reference])
    updated = localtime(ticket.updated_at)
    status_label = STATUS_LABELS.get(ticket.status, ticket.status)
    category = ticket.category
    return format_html(
        QUEUE_CELLS,
        url=url,
        reference=ticket.reference,
        subject=ticket.subject,
        category=format_html('<div class="muted small">{}</div>', category) if category else "",
        requester=ticket.requester.get_full_name(),
        status=ticket.status,
        status_label=status_label,
        status_short=status_label.split(" on ")[0],
        priority=ticket.priority,
        priority_label=PRIORITY_LABELS.get(ticket.priority, ticket.priority),
        team=ticket.team or "—",
        tier=ticket.tier,
        assignee=ticket.assignee.get_full_name() if ticket.assignee else UNASSIGNED,
        iso=updated.isoformat(),
        title=date_format(updated, "DATETIME_FORMAT"),
        ago=ago(updated),
    )
