"""Admin for calendars and policies: where SLA promises are configured, in hours and names
(the policy editor's forms are in ``admin_forms``)."""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_lib
from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone

from apps.tickets.models import Priority

from .admin_forms import EscalationStepForm, EscalationStepFormSet, PolicyForm
from .businesstime import parse_hhmm
from .calendars import calendar_forget
from .models import Calendar, Clock, EscalationStep, Holiday, Policy, WorkingHours
from .selectors import calendar_preset_holidays
from .services import policy_targets_set


class WorkingHoursForm(forms.ModelForm):
    class Meta:
        model = WorkingHours
        fields = ["weekday", "start", "end"]

    def clean(self):
        data = super().clean()
        try:
            start, end = parse_hhmm(data.get("start", "")), parse_hhmm(data.get("end", ""))
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc
        if end <= start:
            raise ValidationError({"end": "A shift must end after it starts."})
        return data


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    form = WorkingHoursForm
    extra = 0


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 0
    verbose_name = "closed day added by hand"
    verbose_name_plural = "closed days added by hand (on top of the public holidays above)"


def _preset_exists(country: str, region: str = "") -> bool:
    try:
        holidays_lib.country_holidays(country, subdiv=region or None)
    except NotImplementedError:
        return False
    return True


class CalendarForm(forms.ModelForm):
    class Meta:
        model = Calendar
        fields = ["name", "time_zone", "country", "region", "is_default"]

    def clean_time_zone(self):
        name = self.cleaned_data["time_zone"].strip()
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValidationError(f"“{name}” is not a time zone (e.g. Europe/Berlin).") from exc
        return name

    def clean(self):
        data = super().clean()
        country, region = data.get("country", "").upper(), data.get("region", "").upper()
        if region and not country:
            raise ValidationError({"region": "Name the country of this region too."})
        if country and not _preset_exists(country):
            raise ValidationError({"country": f"No holiday preset for country “{country}”."})
        if region and not _preset_exists(country, region):
            raise ValidationError({"region": f"{country} has no region “{region}”."})
        data["country"], data["region"] = country, region
        return data


@admin.register(Calendar)
class CalendarAdmin(admin.ModelAdmin):
    form = CalendarForm
    list_display = ["name", "time_zone", "country", "region", "is_default"]
    inlines = [WorkingHoursInline, HolidayInline]
    fieldsets = [
        (None, {"fields": ["name", "time_zone", "country", "region", "is_default"]}),
        ("Public holidays of the preset (read-only)", {"fields": ["preset_holidays"]}),
    ]
    readonly_fields = ["preset_holidays"]

    class Media:
        css = {"all": ["sla/admin.css"]}

    @admin.display(description="Closed days")
    def preset_holidays(self, calendar):
        if not calendar.pk:
            return "Save the calendar to see the public holidays its country and region bring in."
        year = timezone.localdate().year
        return render_to_string(
            "sla/admin/preset_holidays.html",
            {
                "calendar": calendar,
                "years": calendar_preset_holidays(calendar=calendar, years=[year, year + 1]),
            },
        )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        calendar_forget(form.instance.pk)  # the next use reads the new hours and holidays


class EscalationStepInline(admin.TabularInline):
    model = EscalationStep
    form = EscalationStepForm
    formset = EscalationStepFormSet
    fields = ["metric", "delay", "action", "parameters"]
    extra = 0
    verbose_name = "escalation step"
    verbose_name_plural = "escalation steps (each runs once, when a clock is breached)"


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    form = PolicyForm
    change_form_template = "sla/admin/policy_change_form.html"
    list_display = [
        "name",
        "position",
        "is_active",
        "calendar",
        "team",
        "category",
        "priorities_text",
        "warn_percent",
    ]
    list_editable = ["position", "is_active"]
    list_select_related = ["calendar", "team", "category"]
    inlines = [EscalationStepInline]
    fieldsets = [
        (None, {"fields": ["name", ("position", "is_active"), "calendar", "warn_percent"]}),
        (
            "Which tickets (empty conditions match every ticket)",
            {"fields": ["priorities", "category", "team", "organisation"]},
        ),
        (None, {"fields": ["pause_statuses"]}),
    ]

    class Media:
        js = ["js/admin_action_params.js"]
        css = {"all": ["sla/admin.css"]}

    @admin.display(description="Priorities")
    def priorities_text(self, policy):
        labels = dict(Priority.choices)
        return ", ".join(str(labels.get(p, p)) for p in sorted(policy.priorities)) or "any"

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        policy_targets_set(policy=form.instance, targets=form.targets)


@admin.register(Clock)
class ClockAdmin(admin.ModelAdmin):
    list_display = [
        "ticket",
        "metric",
        "cycle",
        "state",
        "due_at",
        "warned_at",
        "breached_at",
        "met_at",
    ]
    list_filter = ["state", "metric"]
    raw_id_fields = ["ticket"]
    readonly_fields = [f.name for f in Clock._meta.fields]
    list_select_related = ["ticket"]

    def has_add_permission(self, request):
        return False
