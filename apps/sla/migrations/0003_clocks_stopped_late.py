"""Existing clocks stopped after their due time were kept "met" unless the sweep had breached
them first. Decide each stopped clock again from its stop and due times, store how late it was
(business seconds, in its policy's calendar), and mark the breach as already recorded: these
are past facts, nobody is to be e-mailed about them now."""

from collections import defaultdict

from django.db import migrations

BATCH = 2000


def _calendar(Calendar, calendar_id, cache):
    from apps.sla.businesstime import BusinessCalendar

    if calendar_id not in cache:
        row = Calendar.objects.prefetch_related("hours", "holidays").get(pk=calendar_id)
        week = defaultdict(list)
        for shift in row.hours.all():
            week[shift.weekday].append((shift.start, shift.end))
        cache[calendar_id] = BusinessCalendar(
            time_zone=row.time_zone,
            week=week,
            country=row.country,
            region=row.region,
            extra_holidays=[h.date for h in row.holidays.all()],
        )
    return cache[calendar_id]


def decide_stopped_clocks(apps, schema_editor):
    Clock = apps.get_model("sla", "Clock")
    Calendar = apps.get_model("sla", "Calendar")
    calendars: dict = {}
    stopped = (
        Clock.objects.filter(met_at__isnull=False, state__in=["met", "breached"])
        .select_related("policy")
        .order_by("pk")
    )
    changed = []
    for clock in stopped.iterator(chunk_size=BATCH):
        if clock.due_at is None:  # stopped while paused: late if it used more than its target
            over = clock.elapsed_seconds - clock.target_seconds
            late = over if over > 0 else None
        elif clock.met_at > clock.due_at:
            cal = _calendar(Calendar, clock.policy.calendar_id, calendars)
            late = max(cal.between(clock.due_at, clock.met_at), 0)
        else:
            late = None
        state = "met" if late is None else "breached"
        if state == clock.state and late == clock.late_seconds:
            continue
        clock.state, clock.late_seconds = state, late
        if state == "breached" and clock.breached_at is None:
            clock.breached_at = clock.due_at or clock.met_at
        changed.append(clock)
        if len(changed) >= BATCH:
            Clock.objects.bulk_update(changed, ["state", "late_seconds", "breached_at"])
            changed = []
    Clock.objects.bulk_update(changed, ["state", "late_seconds", "breached_at"])


class Migration(migrations.Migration):
    dependencies = [("sla", "0002_clock_late_seconds")]

    operations = [migrations.RunPython(decide_stopped_clocks, migrations.RunPython.noop)]
