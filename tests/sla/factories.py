"""Factories for SLA calendars and policies."""

from apps.sla.models import Calendar, EscalationStep, Policy, Target, WorkingHours
from apps.sla.policies import policies_forget

OFFICE_HOURS = {d: [("09:00", "17:00")] for d in range(5)}
ROUND_THE_CLOCK = {d: [("00:00", "24:00")] for d in range(7)}


def calendar_with(name: str, week: dict, *, time_zone="Europe/Berlin", **fields) -> Calendar:
    calendar = Calendar.objects.create(name=name, time_zone=time_zone, **fields)
    WorkingHours.objects.bulk_create(
        WorkingHours(calendar=calendar, weekday=day, start=a, end=b)
        for day, shifts in week.items()
        for a, b in shifts
    )
    return calendar


def policy_with(
    name: str, calendar: Calendar, targets: dict, *, steps=(), position=100, **fields
) -> Policy:
    """``targets``: {(metric, priority): minutes}; ``steps``: [(delay, action, params)]."""
    policy = Policy.objects.create(name=name, calendar=calendar, position=position, **fields)
    Target.objects.bulk_create(
        Target(policy=policy, metric=metric, priority=priority, minutes=minutes)
        for (metric, priority), minutes in targets.items()
    )
    EscalationStep.objects.bulk_create(
        EscalationStep(policy=policy, delay_minutes=delay, action=action, params=params)
        for delay, action, params in steps
    )
    policies_forget()  # bulk_create sends no signal: processes must re-read the targets
    return policy
