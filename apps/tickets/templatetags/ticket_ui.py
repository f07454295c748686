"""Presentation of ticket history for the templates: any event kind, readable."""

from functools import cache
from html import escape

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.formats import date_format
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
def minutes(value) -> str:
    """90 → "1 h 30 min" (time logged)."""
    return minutes_text(value)


# A queue row's cells. Drawn with template tags, a row's two dozen variables (each resolved,
# localised and escaped on its own), its reversed URL and a template per feature column cost
# about a millisecond: a quarter of a 25-row page and most of a 100-row one. Written here, a
# row costs a few dozen microseconds. html.escape is what Django's escape applies.
UNASSIGNED = '<span class="muted">Unassigned</span>'
URL_MARK = "REFERENCE"


@register.filter
def queue_cells(ticket, columns) -> SafeString:
    """A queue row's cells (the ticket with its people, team, category and the columns'
    annotations loaded): Ref to Updated, then each feature column's."""
    url = escape(_ticket_url().replace(URL_MARK, ticket.reference))
    updated = localtime(ticket.updated_at)
    status_label = CODED_FIELDS["status"].get(ticket.status, ticket.status)
    priority_label = CODED_FIELDS["priority"].get(ticket.priority, str(ticket.priority))
    category = (
        f'<div class="muted small">{escape(ticket.category.name)}</div>' if ticket.category else ""
    )
    assignee = escape(ticket.assignee.get_full_name()) if ticket.assignee else UNASSIGNED
    team = escape(ticket.team.name) if ticket.team else "—"
    status = escape(ticket.status)
    cells = [
        f'<td class="ref"><a href="{url}">{escape(ticket.reference)}</a></td>',
        f'<td class="subject"><a href="{url}">{escape(ticket.subject)}</a>{category}</td>',
        f'<td class="small person">{escape(ticket.requester.get_full_name())}</td>',
        f'<td><span class="badge status-{status}" title="{escape(status_label)}">'
        # "Pending" rather than "Pending on requester": a narrow cell.
        f"{escape(status_label.split(' on ')[0])}</span></td>",
        f'<td><span class="badge prio-{int(ticket.priority)}">{escape(priority_label)}</span></td>',
        f'<td class="small nowrap">{team} <span class="badge tier">T{int(ticket.tier)}</span></td>',
        f'<td class="small person">{assignee}</td>',
        f'<td class="small nowrap"><time datetime="{updated.isoformat()}" '
        f'title="{escape(date_format(updated, "DATETIME_FORMAT"))}">{escape(ago(updated))}</time></td>',
    ]
    cells += [
        f'<td class="col-{escape(column.name)} small">{column.cell(ticket)}</td>'
        for column in columns
    ]
    # Reviewed (B308, B703): every value above is escaped; the columns' cells escape theirs.
    return mark_safe("".join(cells))  # nosec B308 B703


def _ticket_url() -> str:
    """The ticket page's URL with URL_MARK for the reference: reversed once per process and
    script prefix, not once per row."""
    return _ticket_url_under(get_script_prefix())


@cache
def _ticket_url_under(prefix: str) -> str:  # the prefix is reverse()'s own input
    return reverse("workspace:ticket", args=[URL_MARK])
