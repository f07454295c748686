"""Admin for calendars and policies: where SLA promises are configured."""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_lib
from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from apps.core.errors import ApplicationError
from apps.tickets import actions

from .businesstime import parse_hhmm
from .calendars import calendar_forget
from .models import Calendar, Clock, EscalationStep, Holiday, Policy, Target, WorkingHours


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

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        calendar_forget(form.instance.pk)  # the next use reads the new hours and holidays


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0


class EscalationStepForm(forms.ModelForm):
    class Meta:
        model = EscalationStep
        fields = ["metric", "delay_minutes", "action", "params"]

    def clean(self):
        data = super().clean()
        name = data.get("action")
        # An action another app registers later (e.g. "escalate") may be named before it is
        # installed: the step records a clear error when it runs.
        if name and name in {a.name for a in actions.all_actions()}:
            try:
                actions.get(name).validate(data.get("params") or {})
            except ApplicationError as exc:
                raise ValidationError({"params": exc.message}) from exc
        return data


class EscalationStepInline(admin.TabularInline):
    model = EscalationStep
    form = EscalationStepForm
    extra = 0


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "position", "is_active", "calendar", "team", "category", "warn_percent"]
    list_editable = ["position", "is_active"]
    inlines = [TargetInline, EscalationStepInline]


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
