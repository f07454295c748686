"""Business calendars loaded from the database, kept per process so arithmetic stays fast.

A loaded calendar holds its precomputed working intervals; it is reused for a minute and
dropped at once when the admin saves it in this process (others pick the change up within a
minute).
"""

import time
from collections import defaultdict

from .businesstime import BusinessCalendar
from .models import Calendar

CACHE_SECONDS = 60
_loaded: dict[int, tuple[float, BusinessCalendar]] = {}


def business_calendar(calendar: Calendar) -> BusinessCalendar:
    """Build the arithmetic object for a calendar row (hours and holidays read here)."""
    week: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for shift in calendar.hours.all():
        week[shift.weekday].append((shift.start, shift.end))
    return BusinessCalendar(
        time_zone=calendar.time_zone,
        week=week,
        country=calendar.country,
        region=calendar.region,
        extra_holidays=[h.date for h in calendar.holidays.all()],
    )


def calendar_get(calendar_id: int) -> BusinessCalendar:
    entry = _loaded.get(calendar_id)
    if entry and entry[0] > time.monotonic():
        return entry[1]
    row = Calendar.objects.prefetch_related("hours", "holidays").get(pk=calendar_id)
    loaded = business_calendar(row)
    _loaded[calendar_id] = (time.monotonic() + CACHE_SECONDS, loaded)
    return loaded


def calendar_forget(calendar_id: int | None = None) -> None:
    if calendar_id is None:
        _loaded.clear()
    else:
        _loaded.pop(calendar_id, None)
