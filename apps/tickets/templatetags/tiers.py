"""Template filters of tiered support."""

from django import template

register = template.Library()


@register.filter
def duration(seconds) -> str:
    """Seconds as people read a span: "45 s", "12 min", "3 h 05 min", "2 d 4 h"."""
    if seconds is None or seconds == "":
        return "—"
    seconds = int(float(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if seconds < 3600:
        return f"{minutes} min"
    if seconds < 86400:
        return f"{hours} h {minutes % 60:02d} min"
    return f"{days} d {hours % 24} h"


@register.filter
def twentieths(percent) -> int:
    """A share in steps of 5 % (1 to 20), for the ``grow-N`` classes of the tier strip: its
    widths come from the stylesheet, as the Content-Security-Policy allows no style attribute."""
    try:
        return min(max(round(float(percent) / 5), 1), 20)
    except (TypeError, ValueError):
        return 1
