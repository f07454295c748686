"""Business durations as admins think of them ("4 hours", "2 working days") and as they are
stored (business minutes of the policy's calendar).

A working day is one calendar's usual working day: its weekly working minutes spread over the
days it works (Monday to Friday 09:00 to 17:00: 8 h; round the clock: 24 h). So "2 working days"
is stored as 960 business minutes in an office calendar, and 960 minutes are shown back as
"2 working days" there. A target stays in minutes if the calendar's hours change later.
"""

from collections import defaultdict
from decimal import Decimal

from .businesstime import parse_hhmm
from .models import WorkingHours

MINUTES, HOURS, DAYS = "minutes", "hours", "days"
UNITS = [(MINUTES, "minutes"), (HOURS, "hours"), (DAYS, "working days")]
SHORT_UNITS = [(MINUTES, "minutes"), (HOURS, "hours")]


def working_day_minutes(*, calendar_ids=None) -> dict[int, int]:
    """Minutes of one working day, per calendar with working hours (one query)."""
    rows = WorkingHours.objects.all()
    if calendar_ids is not None:
        rows = rows.filter(calendar_id__in=calendar_ids)
    week: dict[int, int] = defaultdict(int)
    days: dict[int, set[int]] = defaultdict(set)
    for calendar_id, weekday, start, end in rows.values_list(
        "calendar_id", "weekday", "start", "end"
    ):
        week[calendar_id] += parse_hhmm(end) - parse_hhmm(start)
        days[calendar_id].add(weekday)
    return {pk: round(total / len(days[pk])) for pk, total in week.items() if total}


def to_minutes(*, amount: Decimal, unit: str, day_minutes: int | None) -> int:
    """Whole business minutes; ValueError says what is wrong, for the person who typed it."""
    if unit == DAYS:
        if not day_minutes:
            raise ValueError(
                "The calendar has no working hours, so a working day has no length: "
                "give this in hours or minutes."
            )
        minutes = amount * day_minutes
    else:
        minutes = amount * (60 if unit == HOURS else 1)
    if minutes != minutes.to_integral_value():
        raise ValueError(f"{amount} {dict(UNITS)[unit]} is not a whole number of minutes.")
    return int(minutes)


def friendly(*, minutes: int, day_minutes: int | None, units=UNITS) -> tuple[Decimal, str]:
    """Stored minutes in the largest unit that shows them exactly (2 working days, 4 hours)."""
    allowed = {unit for unit, _ in units}
    if DAYS in allowed and day_minutes and minutes and minutes % day_minutes == 0:
        return Decimal(minutes // day_minutes), DAYS
    if minutes and minutes % 60 == 0:
        return Decimal(minutes // 60), HOURS
    return Decimal(minutes), MINUTES


def day_length_text(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"
