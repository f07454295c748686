"""Review weeks: Monday to Sunday in the desk's time zone (settings.TIME_ZONE), named by their
Monday."""

import datetime

from django.utils import timezone


def week_of(day: datetime.date) -> datetime.date:
    """The Monday of the week ``day`` is in."""
    return day - datetime.timedelta(days=day.weekday())


def this_week(now: datetime.datetime | None = None) -> datetime.date:
    return week_of(timezone.localdate(now, timezone.get_default_timezone()))


def last_week(now: datetime.datetime | None = None) -> datetime.date:
    """The week the review is about by default: the last one that is over."""
    return this_week(now) - datetime.timedelta(days=7)


def week_bounds(week: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """[Monday 00:00, next Monday 00:00) in the desk's time zone (a DST week is 167 or 169
    hours long, which is right: it is the desk's week)."""
    zone = timezone.get_default_timezone()
    start = datetime.datetime.combine(week, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(week + datetime.timedelta(days=7), datetime.time.min)
    return start, end.replace(tzinfo=zone)


def week_parse(text: str) -> datetime.date | None:
    """A date written yyyy-mm-dd, or None when it is not one."""
    try:
        return datetime.date.fromisoformat(text) if len(text or "") == 10 else None
    except ValueError:
        return None


def week_last_day(week: datetime.date) -> datetime.date:
    return week + datetime.timedelta(days=6)
