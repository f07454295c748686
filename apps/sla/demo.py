"""Demo calendars and SLA policies, and one ticket whose SLA you can watch warn, breach and
escalate within minutes.

``configure(demo)`` adds ``demo["calendars"]`` and ``demo["sla_policies"]`` (name → object), so
routing rules seeded later can "apply SLA policy". ``populate(demo)`` settles the history the
ticket demo just wrote (clocks that fell due in the past are marked warned/breached at the time
they fell due, quietly: nobody is e-mailed about last month) and opens the live demo ticket: in
the category "SLA demo: watch it breach" its first response is due after 2 minutes (warning at
1), and the escalation steps follow one a minute — with `make run` (worker + beat) the history,
the at-risk page and var/mail show each step once.
"""

from datetime import date

from django.db.models import Q
from django.utils import timezone

from apps.tickets.models import Category, Priority
from apps.tickets.services import ticket_create, ticket_update

from .events import CLOCK_NEWS
from .models import Calendar, Clock, ClockState, EscalationStep, Holiday, Policy, Target
from .models import WorkingHours as Hours
from .policies import policies_forget

DEMO_CATEGORY = "SLA demo: watch it breach"
FR, NR, RES = "first_response", "next_response", "resolution"
OFFICE = {d: [("08:30", "12:30"), ("13:30", "18:00")] for d in range(5)}
BERLIN = {d: [("09:00", "17:00")] for d in range(5)}
ALWAYS = {d: [("00:00", "24:00")] for d in range(7)}


def configure(demo: dict) -> None:
    calendars = demo["calendars"] = {
        "paris": _calendar("Paris office", "Europe/Paris", OFFICE, country="FR", default=True),
        "berlin": _calendar("Berlin office", "Europe/Berlin", BERLIN, country="DE", region="BE"),
        "always": _calendar("24x7 operations", "UTC", ALWAYS),
    }
    Holiday.objects.get_or_create(
        calendar=calendars["paris"], date=date(2026, 12, 24), defaults={"name": "Christmas Eve"}
    )
    people = demo.get("people", {})
    lead = people.get("lead")
    teams = demo.get("teams", {})
    # Retired from the start: the live demo ticket below carries it, but no requester is ever
    # offered "SLA demo" as the problem they have (lists offer active entries only).
    demo_category, _ = Category.objects.get_or_create(
        name=DEMO_CATEGORY,
        defaults={
            "description": "Set on the SLA demo ticket to watch an SLA warn, breach and escalate.",
            "is_active": False,
        },
    )
    demo["categories"] = {**demo.get("categories", {}), DEMO_CATEGORY: demo_category}
    policies = demo["sla_policies"] = {}

    policies["watch"] = _policy(
        "Watch it breach (demo)",
        calendars["always"],
        position=1,
        category=demo_category,
        warn_percent=50,
        step_metric=FR,  # one escalation chain, for the missed first response
        targets={metric: dict.fromkeys(Priority.values, minutes) for metric, minutes in
                 ((FR, 2), (NR, 3), (RES, 6))},
        steps=[
            (0, "set_priority", {"priority": Priority.URGENT}),
            (1, "notify", {"users": [lead.pk] if lead else [], "message": "SLA breached on a "
                           "demo ticket: this is the lead being told.", **_team(teams)}),
            (2, "escalate", {"reason": "First response target missed (SLA step)."}),
            (3, "set_assignee", {"assignee": lead.pk} if lead else {}),
        ],
    )  # fmt: skip
    policies["outage"] = _policy(
        "Outages and payments 24x7",
        calendars["always"],
        position=10,
        priorities=[Priority.URGENT],
        targets={FR: {Priority.URGENT: 30}, NR: {Priority.URGENT: 60}, RES: {Priority.URGENT: 240}},
        steps=[(0, "notify", {"users": [lead.pk] if lead else [], **_team(teams)})],
    )
    policies["franchise"] = _policy(
        "Franchise partners",
        calendars["paris"],
        position=20,
        organisation="Martin & Fils (franchise)",
        targets={
            FR: {Priority.LOW: 120, Priority.NORMAL: 60, Priority.HIGH: 30},
            NR: {Priority.LOW: 240, Priority.NORMAL: 120, Priority.HIGH: 60},
            RES: {Priority.LOW: 1440, Priority.NORMAL: 960, Priority.HIGH: 480},
        },
    )
    policies["standard"] = _policy(
        "Standard",
        calendars["paris"],
        position=100,
        targets={
            FR: {Priority.LOW: 480, Priority.NORMAL: 240, Priority.HIGH: 120, Priority.URGENT: 60},
            NR: {Priority.LOW: 480, Priority.NORMAL: 240, Priority.HIGH: 120, Priority.URGENT: 60},
            RES: {
                Priority.LOW: 2400,
                Priority.NORMAL: 1440,
                Priority.HIGH: 960,
                Priority.URGENT: 480,
            },
        },
        steps=[
            (0, "notify", {"users": [lead.pk] if lead else [], **_team(teams)}),
            (240, "escalate", {"reason": "Resolution target missed by half a day."}),
        ],
    )
    demo["stdout"].write(
        f"  sla: {Calendar.objects.count()} calendars, {Policy.objects.count()} policies "
        f"(category “{DEMO_CATEGORY}” breaches within minutes)"
    )


def populate(demo: dict) -> None:
    settled = _settle_history()
    ticket = _live_ticket(demo)
    demo["stdout"].write(
        f"  sla: {Clock.objects.count()} clocks, {settled} breached in the past; watch "
        f"{ticket.reference} warn in 1 min, breach in 2 and escalate (needs worker + beat)"
    )


# --- Helpers -----------------------------------------------------------------------------------


def _team(teams: dict) -> dict:
    desk = teams.get("service-desk")
    return {"team": desk.pk} if desk else {}


def _calendar(name, zone, week, *, country="", region="", default=False) -> Calendar:
    calendar, created = Calendar.objects.get_or_create(
        name=name,
        defaults={"time_zone": zone, "country": country, "region": region, "is_default": default},
    )
    if created:
        Hours.objects.bulk_create(
            Hours(calendar=calendar, weekday=day, start=a, end=b)
            for day, shifts in week.items()
            for a, b in shifts
        )
    return calendar


def _policy(name, calendar, *, targets, steps=(), step_metric="", **fields) -> Policy:
    policy, created = Policy.objects.get_or_create(
        name=name, defaults={"calendar": calendar, **fields}
    )
    if created:
        Target.objects.bulk_create(
            Target(policy=policy, metric=metric, priority=priority, minutes=minutes)
            for metric, by_priority in targets.items()
            for priority, minutes in by_priority.items()
        )
        policies_forget()  # bulk_create sends no signal
        EscalationStep.objects.bulk_create(
            EscalationStep(
                policy=policy, metric=step_metric, delay_minutes=delay, action=action, params=params
            )
            for delay, action, params in steps
            if params.get("users") or params.get("team") or action != "notify"
            if action != "set_assignee" or params.get("assignee")
        )
    return policy


def _settle_history() -> int:
    """Record, at the moment each happened, the warnings and breaches of the seeded past —
    without notifying anyone (the demo is loaded in one go; e-mails about last month would
    only be noise). The seeded answers went through the services, so a clock answered after
    its due time is already late; only the record of its breach is written here."""
    import time_machine  # a development dependency, like the demo itself

    from apps.tickets.events import event_record

    now = timezone.now()
    overdue = Clock.objects.filter(
        Q(warned_at__isnull=True, warn_at__lte=now, state=ClockState.RUNNING)
        | Q(due_at__lte=now, state=ClockState.RUNNING)
        | Q(state=ClockState.BREACHED, breached_at__isnull=True)
    ).select_related("ticket", "policy")
    breached = 0
    for clock in overdue:
        due = clock.due_at or clock.met_at  # stopped late while paused: no due time in force
        moments = [("sla_breached", due)]
        if clock.state == ClockState.RUNNING and not clock.warned_at:
            moments.insert(0, ("sla_warning", clock.warn_at))
        for kind, moment in moments:
            if moment > now:
                continue
            with time_machine.travel(moment, tick=False):
                event_record(
                    ticket=clock.ticket,
                    payload=CLOCK_NEWS[kind](
                        target=clock.get_metric_display(), policy=clock.policy.name
                    ),
                )
        if clock.state == ClockState.RUNNING:
            clock.warned_at = clock.warned_at or clock.warn_at
        if due <= now:
            clock.state, clock.breached_at = ClockState.BREACHED, due
            breached += 1
        clock.save(update_fields=["warned_at", "state", "breached_at"])
    return breached


def _live_ticket(demo: dict):
    requesters = demo.get("requesters") or []
    people = demo.get("people", {})
    requester = people.get("requester") or (requesters[0] if requesters else None)
    ticket = ticket_create(
        requester=requester,
        subject="Card terminal at Store 112 refuses every card",
        description="Since 10 minutes every card is declined at till 2 and 3. Queue is growing.",
        category=demo["categories"][DEMO_CATEGORY],
        priority=Priority.HIGH,
    )
    desk = demo.get("teams", {}).get("service-desk")
    if desk and ticket.team_id != desk.pk:
        ticket_update(ticket=ticket, actor=None, data={"team": desk}, source="SLA demo")
    return ticket
