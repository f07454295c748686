"""Durations as people type them: "25m", "1h", "1h30", "1 h 30 min", "1.5h", "90" (minutes)."""

import re

from .errors import ApplicationError

MAX_MINUTES = 24 * 60  # one entry covers at most a day of work
_PART = re.compile(r"(\d+(?:[.,]\d+)?)\s*(h|hr|hrs|hours?|m|min|mins|minutes?)?", re.IGNORECASE)
_WHOLE = re.compile(
    r"^\s*(?:\d+(?:[.,]\d+)?\s*(?:h|hr|hrs|hours?|m|min|mins|minutes?)?\s*)+$", re.I
)


def minutes_from_text(text: str, *, field: str = "time_spent") -> int | None:
    """The whole minutes ``text`` says, or None for an empty one; refused in words otherwise.
    A bare number is minutes; "1h30" is ninety (the number after hours is minutes)."""
    text = (text or "").strip()
    if not text:
        return None
    if len(text) > 30 or not _WHOLE.fullmatch(text):
        raise ApplicationError(
            f"“{text[:30]}” is not a duration: write it like 25m, 1h, 1h30 or 1.5h.", field=field
        )
    minutes = 0.0
    for number, unit in _PART.findall(text):
        value = float(number.replace(",", "."))
        # "h…" is hours; "m…" or a bare number is minutes (also the "30" of "1h30").
        minutes += value * 60 if unit.lower().startswith("h") else value
    total = round(minutes)
    if total <= 0:
        raise ApplicationError("Time spent must be at least a minute.", field=field)
    if total > MAX_MINUTES:
        raise ApplicationError(
            f"{total} minutes is more than a day: log each day's work on its own.", field=field
        )
    return total


def minutes_text(minutes: int | None) -> str:
    """90 → "1 h 30 min"; 25 → "25 min"; None or 0 → "—"."""
    if not minutes:
        return "—"
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"
