"""The SLA badge: the state of a ticket's clocks and the business time left, for templates."""

from html import escape

from django import template
from django.utils import timezone

from ..calendars import calendar_get
from ..models import ClockState
from ..services import duration_text

register = template.Library()


def _badge(*, due, warn_at, calendar_id, breached, paused) -> dict | None:
    now = timezone.now()
    if breached:
        return {"css": "sla-breached", "text": "Breached", "title": "An SLA target was missed"}
    if due is None:
        return (
            {"css": "sla-paused", "text": "Paused", "title": "Waiting on the requester"}
            if paused
            else None
        )
    left = calendar_get(calendar_id).between(now, due)
    if due <= now:
        return {
            "css": "sla-breached",
            "text": "Due now",
            "title": f"Was due {timezone.localtime(due):%d %b %H:%M}",
        }
    css = "sla-warning" if warn_at and warn_at <= now else "sla-ok"
    return {
        "css": css,
        "text": f"{duration_text(left)} left",
        "title": f"Due {timezone.localtime(due):%a %d %b %H:%M} (business time left)",
    }


def queue_cell(ticket) -> str:
    """The queue's SLA cell (sla/_badge.html's markup), from the SLA state kept on the ticket
    and the column's annotation: no query per row. While nothing is breached, the earliest due
    time not met is a running clock's."""
    calendar_id = getattr(ticket, "sla_calendar_id", None)
    badge = _badge(
        due=ticket.sla_due_at if calendar_id else None,
        warn_at=ticket.sla_warn_at,
        calendar_id=calendar_id,
        breached=ticket.sla_breached,
        paused=ticket.sla_paused,
    )
    if badge is None:
        return '<span class="muted">—</span>'
    return (
        f'<span class="badge sla-badge {badge["css"]}" title="{escape(badge["title"])}">'
        f"{escape(badge['text'])}</span>"
    )


@register.inclusion_tag("sla/_badge.html")
def sla_clock_badge(clock):
    if clock.state == ClockState.MET:
        return {"badge": {"css": "sla-met", "text": "Met", "title": "Met by its due time"}}
    if clock.state == ClockState.BREACHED:
        if clock.met_at:
            title = f"Met late by {late_text(clock.late_seconds)} (business time)"
            return {"badge": {"css": "sla-breached", "text": "Met late", "title": title}}
        return {"badge": {"css": "sla-breached", "text": "Breached", "title": ""}}
    return {
        "badge": _badge(
            due=clock.due_at,
            warn_at=clock.warn_at,
            calendar_id=clock.policy.calendar_id,
            breached=False,
            paused=clock.state == ClockState.PAUSED,
        )
    }


@register.filter
def priority_label(value) -> str:
    from apps.tickets.models import Priority

    try:
        return Priority(int(value)).label
    except (TypeError, ValueError):
        return "—"


@register.filter
def business_duration(seconds) -> str:
    return duration_text(seconds or 0)


@register.filter
def late_text(seconds) -> str:
    """How late, as the ticket panel says it: "2 h 51 min", "3 d 2 h", "under a minute"."""
    seconds = int(seconds or 0)
    if seconds < 60:
        return "under a minute"
    minutes = seconds // 60
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else ""]
    parts.append(f"{minutes} min" if minutes and not days else "")
    return " ".join(p for p in parts if p)


@register.filter
def metric_label(value) -> str:
    from ..models import Metric

    try:
        return Metric(value).label
    except ValueError:
        return "—"
