"""Business calendars, SLA policies with their targets and escalation steps, and ticket clocks."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from apps.accounts.models import Team
from apps.tickets.models import Category, Priority, Status, Ticket


class Calendar(models.Model):
    """When the desk works: weekly hours, a time zone and holidays."""

    name = models.CharField(max_length=100, unique=True)
    time_zone = models.CharField(max_length=64, default="Europe/Berlin")
    country = models.CharField(
        max_length=8, blank=True, help_text="Public holidays of this country (ISO code, e.g. DE)."
    )
    region = models.CharField(
        max_length=16, blank=True, help_text="…and of this region (e.g. BE for Berlin)."
    )
    is_default = models.BooleanField(
        default=False, help_text="Measures tier time of tickets that have no SLA policy."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="sla_one_default_calendar"
            )
        ]

    def __str__(self):
        return self.name


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class WorkingHours(models.Model):
    """One shift of one weekday; several per day make a split shift."""

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start = models.CharField(max_length=5, help_text="Local time, HH:MM.")
    end = models.CharField(max_length=5, help_text="Local time, HH:MM (24:00 = midnight).")

    class Meta:
        ordering = ["weekday", "start"]
        verbose_name_plural = "working hours"

    def __str__(self):
        return f"{self.get_weekday_display()} {self.start}-{self.end}"


class Holiday(models.Model):
    """A custom closed day on top of the country/region preset."""

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField()
    name = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="sla_holiday_once")
        ]

    def __str__(self):
        return f"{self.date} {self.name}".strip()


class Metric(models.TextChoices):
    FIRST_RESPONSE = "first_response", "First response"
    NEXT_RESPONSE = "next_response", "Next response"
    RESOLUTION = "resolution", "Resolution"


def default_pause_statuses() -> list[str]:
    return [Status.PENDING]


class Policy(models.Model):
    """Promises for a kind of ticket. The first active policy (by position) whose conditions
    all match applies, unless a routing rule set one explicitly."""

    name = models.CharField(max_length=100, unique=True)
    position = models.PositiveIntegerField(default=100, help_text="Lower is tried first.")
    is_active = models.BooleanField(default=True)
    calendar = models.ForeignKey(Calendar, on_delete=models.PROTECT, related_name="policies")
    # Conditions: an empty one matches everything.
    priorities = models.JSONField(default=list, blank=True, help_text="e.g. [3, 4]; empty = any.")
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL)
    organisation = models.CharField(
        max_length=120, blank=True, help_text="Requester's organisation; empty = any."
    )
    pause_statuses = models.JSONField(
        default=default_pause_statuses,
        blank=True,
        help_text='Statuses that stop the clocks, by default ["pending"] (waiting on requester).',
    )
    warn_percent = models.PositiveSmallIntegerField(
        default=75, help_text="Warn when this share of a target has been used."
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name_plural = "policies"

    def __str__(self):
        return self.name


class Target(models.Model):
    """How much business time one metric may take, for one priority."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="targets")
    metric = models.CharField(max_length=20, choices=Metric.choices)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices)
    minutes = models.PositiveIntegerField(help_text="Business minutes in the policy's calendar.")

    class Meta:
        ordering = ["metric", "-priority"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "metric", "priority"], name="sla_target_once")
        ]

    def __str__(self):
        return f"{self.get_metric_display()} {self.get_priority_display()}: {self.minutes} min"


class EscalationStep(models.Model):
    """A ticket action run once a clock of the policy has been breached for ``delay_minutes``
    (business time); e.g. raise the priority, escalate a tier, reassign, notify the lead."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="steps")
    metric = models.CharField(
        max_length=20, choices=Metric.choices, blank=True, help_text="Empty = any breached clock."
    )
    delay_minutes = models.PositiveIntegerField(default=0)
    action = models.CharField(max_length=60, help_text="A ticket action's name, e.g. set_priority.")
    params = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["delay_minutes", "id"]

    def __str__(self):
        from apps.tickets.actions import action_label

        return f"{action_label(self.action)}, {self.delay_minutes} min after breach"


class TicketPolicy(models.Model):
    """The policy a routing rule set on a ticket; it wins over matching."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="sla_policy")
    policy = models.ForeignKey(Policy, on_delete=models.CASCADE)
    set_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.policy} for ticket {self.ticket_id}"


class ClockState(models.TextChoices):
    """``met``: stopped on or before its due time. ``breached``: its due time passed before it
    stopped — still running late, or stopped late (``met_at`` set) — whether or not the sweep
    had noticed; ``breached_at`` is set once the breach has been recorded (announced)."""

    RUNNING = "running", "Running"
    PAUSED = "paused", "Paused"
    MET = "met", "Met"
    BREACHED = "breached", "Breached"


LIVE_STATES = (ClockState.RUNNING, ClockState.PAUSED)


class Clock(models.Model):
    """One target of one ticket. ``cycle`` counts restarts (each requester reply starts a new
    next-response clock; reopening starts a new resolution clock); old cycles stay as history.

    A running clock's ``due_at``/``warn_at`` are stored so the sweep finds what is due by index;
    ``elapsed_seconds`` holds business time used before the current run (pauses). A clock keeps
    the due time in force when it stopped, and lateness is decided then: stopped after
    ``due_at`` (or, stopped while paused, with more business time used than the target) is
    late (``breached``, with ``late_seconds``), whether or not the sweep ran in between.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="sla_clocks")
    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="clocks")
    metric = models.CharField(max_length=20, choices=Metric.choices)
    cycle = models.PositiveSmallIntegerField(default=1)
    state = models.CharField(max_length=10, choices=ClockState.choices, default=ClockState.RUNNING)
    target_seconds = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    run_started_at = models.DateTimeField(null=True, blank=True)
    elapsed_seconds = models.FloatField(default=0)
    warn_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    met_at = models.DateTimeField(null=True, blank=True)
    # Business seconds past the due time when the clock stopped (NULL while it runs, or when
    # it stopped in time): a fact of the stop, so reports never recompute it.
    late_seconds = models.FloatField(null=True, blank=True)
    # When the next escalation step is due (NULL: none left); ``steps_done`` counts those run.
    next_step_at = models.DateTimeField(null=True, blank=True)
    steps_done = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "metric", "cycle"], name="sla_clock_cycle_once"
            ),
            models.UniqueConstraint(
                fields=["ticket", "metric"],
                condition=Q(state__in=LIVE_STATES),
                name="sla_one_live_clock",
            ),
        ]
        indexes = [
            # The sweep: only clocks not yet warned / breached are in these indexes, ordered
            # by the time they become due, so it reads just the ones whose time has come.
            models.Index(
                fields=["warn_at"],
                condition=Q(state=ClockState.RUNNING, warned_at__isnull=True),
                name="sla_clock_warn_idx",
            ),
            models.Index(
                fields=["due_at"], condition=Q(state=ClockState.RUNNING), name="sla_clock_due_idx"
            ),
            # Stopped late before the sweep saw it due: the breach is still to be recorded.
            models.Index(
                fields=["due_at"],
                condition=Q(state=ClockState.BREACHED, breached_at__isnull=True),
                name="sla_clock_unrecorded_idx",
            ),
            models.Index(
                fields=["next_step_at"],
                condition=Q(next_step_at__isnull=False),
                name="sla_clock_step_idx",
            ),
            models.Index(fields=["ticket", "state"], name="sla_clock_ticket_idx"),
        ]

    def __str__(self):
        return f"{self.get_metric_display()} of ticket {self.ticket_id} ({self.state})"

    @property
    def is_live(self) -> bool:
        return self.state in LIVE_STATES


class StepRun(models.Model):
    """One escalation step run for one clock: the unique constraint makes it happen once."""

    clock = models.ForeignKey(Clock, on_delete=models.CASCADE, related_name="step_runs")
    step = models.ForeignKey(EscalationStep, on_delete=models.CASCADE, related_name="runs")
    ran_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=255, blank=True)
    error = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["ran_at", "id"]
        constraints = [models.UniqueConstraint(fields=["clock", "step"], name="sla_step_once")]

    def __str__(self):
        return f"{self.step} for clock {self.clock_id}"
