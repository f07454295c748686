"""Business-time arithmetic, checked against a slow day-by-day walk and known DST/holiday dates."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays as holidays_lib
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.sla.businesstime import BusinessCalendar, normalise_week

BERLIN = ZoneInfo("Europe/Berlin")
OFFICE = {d: [("09:00", "17:00")] for d in range(5)}
SPLIT = {d: [("08:00", "12:00"), ("13:30", "18:00")] for d in range(5)} | {5: [("10:00", "14:00")]}
ALWAYS = {d: [("00:00", "24:00")] for d in range(7)}
NIGHT = {d: [("00:00", "06:00"), ("22:00", "24:00")] for d in range(7)}
CUSTOM = {date(2026, 12, 24), date(2026, 12, 31), date(2027, 3, 29)}


def berlin_office(week=OFFICE) -> BusinessCalendar:
    return BusinessCalendar(
        time_zone="Europe/Berlin", week=week, country="DE", region="BE", extra_holidays=CUSTOM
    )


CALENDARS = {
    "office": berlin_office(),
    "split": berlin_office(SPLIT),
    "night": berlin_office(NIGHT),
    "always": BusinessCalendar(time_zone="Europe/Berlin", week=ALWAYS),
    "new_york": BusinessCalendar(time_zone="America/New_York", week=SPLIT, country="US"),
}


def naive_intervals(cal: BusinessCalendar, day: date) -> list[tuple[datetime, datetime]]:
    """The obvious way, one day at a time, with no precomputation."""
    presets = (
        holidays_lib.country_holidays(cal.country, subdiv=cal.region or None, years=day.year)
        if cal.country
        else {}
    )
    if day in presets or day in cal.extra_holidays:
        return []
    out = []
    for start, end in cal.week[day.weekday()]:
        a = datetime.combine(day, time(start // 60, start % 60), cal.zone).astimezone(UTC)
        end_day = day + timedelta(days=end // 1440)
        b = datetime.combine(end_day, time((end % 1440) // 60, end % 60), cal.zone).astimezone(UTC)
        if out and a < out[-1][1]:
            a = out[-1][1]
        if b > a:
            out.append((a, b))
    return out


def naive_add(cal: BusinessCalendar, start: datetime, seconds: float) -> datetime:
    day = start.astimezone(cal.zone).date() - timedelta(days=1)
    remaining = timedelta(seconds=seconds)
    while True:
        for a, b in naive_intervals(cal, day):
            a = max(a, start)
            if b <= a:
                continue
            if remaining <= b - a:
                return a + remaining
            remaining -= b - a
        day += timedelta(days=1)


def naive_between(cal: BusinessCalendar, start: datetime, end: datetime) -> float:
    total = 0.0
    day = start.astimezone(cal.zone).date() - timedelta(days=1)
    while day <= end.astimezone(cal.zone).date() + timedelta(days=1):
        for a, b in naive_intervals(cal, day):
            overlap = (min(b, end) - max(a, start)).total_seconds()
            total += max(overlap, 0)
        day += timedelta(days=1)
    return total


# Instants around 2026-2027, covering both DST changes of each year, to the second.
instants = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
).map(lambda d: d.replace(microsecond=0))
calendars = st.sampled_from(sorted(CALENDARS))
# Up to ~4 months of business time, so spans cross months, holidays and DST changes.
spans = st.integers(min_value=0, max_value=4 * 30 * 8 * 3600)


@settings(max_examples=300, deadline=None)
@given(name=calendars, start=instants, seconds=spans)
def test_add_agrees_with_a_day_by_day_walk(name, start, seconds):
    cal = CALENDARS[name]
    assert cal.add(start, seconds) == naive_add(cal, start, seconds)


@settings(max_examples=300, deadline=None)
@given(name=calendars, start=instants, seconds=spans)
def test_adding_then_measuring_gives_back_the_same_business_time(name, start, seconds):
    cal = CALENDARS[name]
    due = cal.add(start, seconds)
    assert due >= start
    assert cal.between(start, due) == pytest.approx(seconds, abs=1e-3)


@settings(max_examples=200, deadline=None)
@given(name=calendars, a=instants, b=instants, c=instants)
def test_spans_add_up_and_never_exceed_the_wall_clock(name, a, b, c):
    cal = CALENDARS[name]
    a, b, c = sorted([a, b, c])
    assert cal.between(a, b) + cal.between(b, c) == pytest.approx(cal.between(a, c), abs=1e-3)
    assert 0 <= cal.between(a, c) <= (c - a).total_seconds() + 1e-3
    assert cal.between(c, a) == pytest.approx(-cal.between(a, c), abs=1e-3)


@settings(max_examples=150, deadline=None)
@given(name=calendars, a=instants, days=st.integers(min_value=0, max_value=70))
def test_measuring_agrees_with_a_day_by_day_walk(name, a, days):
    cal = CALENDARS[name]
    b = a + timedelta(days=days, hours=5)
    assert cal.between(a, b) == pytest.approx(naive_between(cal, a, b), abs=1e-3)


@settings(max_examples=200, deadline=None)
@given(name=calendars, start=instants, seconds=st.integers(min_value=1, max_value=10**7))
def test_a_due_time_falls_in_working_hours_and_never_on_a_holiday(name, start, seconds):
    cal = CALENDARS[name]
    due = cal.add(start, seconds)
    just_before = due - timedelta(microseconds=1)
    assert cal.is_working(just_before)
    assert not cal.is_holiday(just_before.astimezone(cal.zone).date())


@settings(max_examples=100, deadline=None)
@given(start=instants, seconds=spans, more=st.integers(min_value=1, max_value=10**5))
def test_more_business_time_is_never_earlier(start, seconds, more):
    cal = CALENDARS["split"]
    assert cal.add(start, seconds + more) > cal.add(start, seconds)


def test_an_office_day_is_eight_hours_on_both_dst_changes():
    cal = berlin_office()
    for day in (date(2026, 3, 30), date(2026, 10, 26), date(2026, 3, 27)):  # Mondays + a Friday
        start = datetime.combine(day, time(), BERLIN)
        assert cal.between(start, start + timedelta(days=1)) == 8 * 3600
    # Across the weekend of the change, 09:00 Monday is still local 09:00.
    due = cal.add(datetime(2026, 3, 27, 16, 0, tzinfo=BERLIN), 2 * 3600)  # Friday
    assert due.astimezone(BERLIN) == datetime(2026, 3, 30, 10, 0, tzinfo=BERLIN)


def test_a_round_the_clock_calendar_follows_the_wall_clock_through_dst():
    cal = CALENDARS["always"]
    spring = datetime(2026, 3, 29, tzinfo=BERLIN)  # a 23-hour day
    autumn = datetime(2026, 10, 25, tzinfo=BERLIN)  # a 25-hour day
    assert cal.between(spring, spring + timedelta(days=1)) == 23 * 3600
    assert cal.between(autumn, autumn + timedelta(days=1)) == 25 * 3600
    start = datetime(2026, 3, 29, 1, 30, tzinfo=BERLIN)
    due = cal.add(start, 3600)  # 02:30 does not exist that night: an hour later it is 03:30
    assert due.astimezone(BERLIN).replace(tzinfo=None) == datetime(2026, 3, 29, 3, 30)


def test_a_night_shift_loses_the_skipped_hour_and_gains_the_repeated_one():
    cal = CALENDARS["night"]
    spring, autumn = date(2026, 3, 29), date(2026, 10, 25)
    assert sum((b - a).total_seconds() for a, b in cal.intervals(spring)) == 7 * 3600
    assert sum((b - a).total_seconds() for a, b in cal.intervals(autumn)) == 9 * 3600


def test_holidays_from_the_preset_the_region_and_custom_dates_are_closed():
    cal = berlin_office()
    assert cal.is_holiday(date(2026, 12, 25))  # Christmas, all of Germany
    assert cal.is_holiday(date(2026, 3, 8))  # Women's Day: Berlin only
    assert not BusinessCalendar(
        time_zone="Europe/Berlin", week=OFFICE, country="DE", region="BY"
    ).is_holiday(date(2026, 3, 8))
    assert cal.is_holiday(date(2026, 12, 24))  # custom
    # Opened on Wednesday 23 Dec at 16:00: one hour that day, then 24 (custom), 25 and 26
    # (holidays) and 27 (Sunday) are closed; two more hours end on Monday 28th at 11:00.
    due = cal.add(datetime(2026, 12, 23, 16, 0, tzinfo=BERLIN), 3 * 3600)
    assert due.astimezone(BERLIN) == datetime(2026, 12, 28, 11, 0, tzinfo=BERLIN)


def test_a_ticket_opened_at_night_starts_counting_at_the_next_opening():
    cal = CALENDARS["split"]
    friday_night = datetime(2026, 6, 5, 23, 0, tzinfo=BERLIN)
    # Saturday 10:00-14:00 is open, so 5 hours end Monday 09:00.
    assert cal.add(friday_night, 5 * 3600).astimezone(BERLIN) == datetime(
        2026, 6, 8, 9, 0, tzinfo=BERLIN
    )
    assert cal.add(friday_night, 0).astimezone(BERLIN) == datetime(2026, 6, 6, 10, 0, tzinfo=BERLIN)
    # The lunch break of a split shift does not count.
    monday_11 = datetime(2026, 6, 8, 11, 0, tzinfo=BERLIN)
    assert cal.add(monday_11, 2 * 3600).astimezone(BERLIN) == datetime(
        2026, 6, 8, 14, 30, tzinfo=BERLIN
    )


def test_far_past_and_far_future_spans_extend_the_precomputed_range():
    cal = berlin_office()
    start = datetime(2030, 1, 7, 9, 0, tzinfo=BERLIN)
    assert cal.between(datetime(2020, 1, 6, 9, 0, tzinfo=BERLIN), start) > 0
    year_out = cal.add(start, 250 * 8 * 3600)
    assert year_out.year in (2030, 2031)
    assert cal.add(start, 250 * 8 * 3600) == naive_add(cal, start, 250 * 8 * 3600)


def test_bad_weekly_hours_are_refused_with_a_reason():
    with pytest.raises(ValueError, match="end after it starts"):
        normalise_week({0: [("17:00", "09:00")]})
    with pytest.raises(ValueError, match="overlap"):
        normalise_week({0: [("09:00", "13:00"), ("12:00", "17:00")]})
    with pytest.raises(ValueError, match="not a time"):
        normalise_week({0: [("9am", "17:00")]})
    with pytest.raises(ValueError, match="no working hours"):
        BusinessCalendar(time_zone="UTC", week={}).add(datetime.now(UTC), 60)
