"""Business-time arithmetic: "add 8 business hours", "business seconds between" in one calendar.

Pure Python, no database. A calendar is weekly working hours (split shifts allowed), a time zone
and holidays (a ``holidays`` country/region preset plus custom dates). Working intervals are
computed per local day in UTC — so DST changes shorten or lengthen a day the way the wall clock
does — and flattened, year by year, into sorted arrays with running totals. Adding time or
measuring a span is then two binary searches, whatever the distance.
"""

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate, pairwise
from zoneinfo import ZoneInfo

import holidays as holidays_lib

# Weekly hours: weekday (0 = Monday) -> [(start, end), ...] as local "HH:MM"; "24:00" ends a day.
WeeklyHours = Mapping[int, Iterable[tuple[str, str]]]

# How many days one extension of the precomputed arrays covers.
_CHUNK_DAYS = 366
# A calendar with no working time at all would make "add" search forever.
_MAX_SEARCH_DAYS = 366 * 10


def parse_hhmm(value: str) -> int:
    """Minutes after local midnight for "HH:MM" (24:00 allowed as the end of the day)."""
    hours, _, minutes = value.strip().partition(":")
    if not (
        f"{hours}{minutes}".isascii()
        and hours.isdigit()
        and minutes.isdigit()
        and len(minutes) == 2
    ):
        raise ValueError(f"{value!r} is not a time like 09:00.")
    total = int(hours) * 60 + int(minutes)
    if int(minutes) >= 60 or total > 24 * 60:
        raise ValueError(f"{value!r} is not a time of day.")
    return total


def normalise_week(week: WeeklyHours) -> dict[int, tuple[tuple[int, int], ...]]:
    """Validate weekly hours: each shift starts before it ends, shifts of a day never overlap."""
    result = {}
    for weekday in range(7):
        shifts = sorted((parse_hhmm(a), parse_hhmm(b)) for a, b in week.get(weekday, ()))
        for start, end in shifts:
            if end <= start:
                raise ValueError(f"A shift must end after it starts (weekday {weekday}).")
        for (_, end), (start, _) in pairwise(shifts):
            if start < end:
                raise ValueError(f"Shifts overlap on weekday {weekday}.")
        result[weekday] = tuple(shifts)
    return result


class BusinessCalendar:
    def __init__(
        self,
        *,
        time_zone: str,
        week: WeeklyHours,
        country: str = "",
        region: str = "",
        extra_holidays: Iterable[date] = (),
    ):
        self.zone = ZoneInfo(time_zone)
        self.week = normalise_week(week)
        self.country = country
        self.region = region
        self.extra_holidays = frozenset(extra_holidays)
        self._holidays: set[date] = set()
        self._holiday_years: set[int] = set()
        self._first_day: date | None = None
        self._last_day: date | None = None  # inclusive
        self._starts: list[float] = []
        self._ends: list[float] = []
        self._before: list[float] = []  # business seconds before each interval, from _first_day
        self._after: list[float] = []  # ... up to the end of each interval

    @property
    def has_working_time(self) -> bool:
        return any(self.week.values())

    # --- Public arithmetic --------------------------------------------------------------------

    def add(self, start: datetime, seconds: float) -> datetime:
        """The instant ``seconds`` of business time after ``start``.

        Starting outside working hours counts from the next opening; adding zero to an instant
        outside hours gives that opening too (a clock cannot run while the desk is closed).
        """
        if seconds < 0:
            raise ValueError("Business time can only be added forwards.")
        if not self.has_working_time:
            raise ValueError("This calendar has no working hours.")
        t = start.timestamp()
        self._cover(t)
        target = self._offset(t) + seconds
        # A zero-length step from closed hours must still land on the next opening.
        index = bisect_left(self._after, target) if seconds else bisect_right(self._after, target)
        searched = 0
        while index >= len(self._after):
            self._extend_forward()
            searched += _CHUNK_DAYS
            if searched > _MAX_SEARCH_DAYS:
                raise ValueError("No working time found in the next ten years.")
            target = self._offset(t) + seconds
            index = (
                bisect_left(self._after, target) if seconds else bisect_right(self._after, target)
            )
        moment = self._starts[index] + (target - self._before[index])
        return datetime.fromtimestamp(moment, UTC)

    def between(self, start: datetime, end: datetime) -> float:
        """Business seconds from ``start`` to ``end`` (negative if ``end`` is earlier)."""
        a, b = start.timestamp(), end.timestamp()
        self._cover(min(a, b))
        self._cover(max(a, b))
        return self._offset(b) - self._offset(a)

    def is_working(self, moment: datetime) -> bool:
        t = moment.timestamp()
        self._cover(t)
        index = bisect_right(self._starts, t) - 1
        return index >= 0 and t < self._ends[index]

    def is_holiday(self, day: date) -> bool:
        self._load_holidays(day.year)
        return day in self._holidays

    def intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        """The working intervals of one local day, as aware UTC datetimes."""
        return [
            (datetime.fromtimestamp(a, UTC), datetime.fromtimestamp(b, UTC))
            for a, b in self._day_intervals(day)
        ]

    # --- Precomputation -----------------------------------------------------------------------

    def _offset(self, t: float) -> float:
        """Business seconds from the start of the covered range to ``t`` (covered)."""
        index = bisect_right(self._starts, t) - 1
        if index < 0:
            return 0.0
        return self._before[index] + min(t, self._ends[index]) - self._starts[index]

    def _load_holidays(self, year: int) -> None:
        if year in self._holiday_years:
            return
        self._holiday_years.add(year)
        if self.country:
            preset = holidays_lib.country_holidays(
                self.country, subdiv=self.region or None, years=year
            )
            self._holidays.update(preset.keys())
        self._holidays.update(d for d in self.extra_holidays if d.year == year)

    def _day_intervals(self, day: date) -> list[tuple[float, float]]:
        if self.is_holiday(day):
            return []
        midnight = datetime.combine(day, time(), self.zone)
        result = []
        for start, end in self.week[day.weekday()]:
            a = _local_instant(midnight, start, self.zone)
            b = _local_instant(midnight, end, self.zone)
            if b > a:  # a shift inside a skipped DST hour has no length
                result.append((a, b))
        return result

    def _local_day(self, t: float) -> date:
        return datetime.fromtimestamp(t, self.zone).date()

    def _cover(self, t: float) -> None:
        day = self._local_day(t)
        if self._first_day is None:
            self._build(day - timedelta(days=7), day + timedelta(days=_CHUNK_DAYS))
        while day > self._last_day - timedelta(days=1):
            self._extend_forward()
        if day < self._first_day + timedelta(days=1):
            self._build(day - timedelta(days=_CHUNK_DAYS), self._last_day)

    def _extend_forward(self) -> None:
        self._build(self._first_day, self._last_day + timedelta(days=_CHUNK_DAYS))

    def _build(self, first: date, last: date) -> None:
        """(Re)compute the flattened intervals for local days ``first``..``last``."""
        starts, ends = [], []
        day = first
        while day <= last:
            for a, b in self._day_intervals(day):
                if ends and a < ends[-1]:  # a DST fold can make shifts touch: never overlap
                    a = ends[-1]
                if b > a:
                    starts.append(a)
                    ends.append(b)
            day += timedelta(days=1)
        lengths = [b - a for a, b in zip(starts, ends, strict=True)]
        after = list(accumulate(lengths))
        self._starts, self._ends, self._after = starts, ends, after
        self._before = [x - n for x, n in zip(after, lengths, strict=True)]
        self._first_day, self._last_day = first, last


def _local_instant(midnight: datetime, minutes: int, zone: ZoneInfo) -> float:
    """Epoch seconds of a local wall time ``minutes`` after midnight on that day.

    Wall times are built on the calendar date (not by adding a duration to midnight), so
    "09:00" is 09:00 on both sides of a DST change; "24:00" is the next local midnight.
    """
    day = midnight.date() + timedelta(days=minutes // (24 * 60))
    minutes %= 24 * 60
    local = datetime.combine(day, time(minutes // 60, minutes % 60), zone)
    return local.timestamp()
