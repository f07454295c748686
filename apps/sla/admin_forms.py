"""The admin's SLA policy editor: targets as a grid of durations (metric by priority) typed in
minutes, hours or working days, conditions as checkboxes, escalation steps as an action with
its parameters as real fields. What is stored stays business minutes and registry actions."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from apps.tickets import actions
from apps.tickets.action_forms import ActionParamsField, action_choices
from apps.tickets.models import ACTIVE_STATUSES, Priority, Status

from . import durations
from .models import EscalationStep, Metric, Policy, default_pause_statuses


class DurationWidget(forms.MultiWidget):
    template_name = "django/forms/widgets/multiwidget.html"

    def __init__(self, units=durations.UNITS, default_unit=durations.HOURS, attrs=None):
        self.default_unit = default_unit
        amount = forms.NumberInput(
            attrs={"min": "0", "step": "any", "class": "duration-amount", "size": 5}
        )
        super().__init__(
            [amount, forms.Select(choices=units, attrs={"class": "duration-unit"})], attrs
        )

    def decompress(self, value):
        if isinstance(value, (list, tuple)):
            return list(value)
        return [None, self.default_unit]


class DurationField(forms.MultiValueField):
    """An amount and a unit; the form turns them into minutes once it knows the calendar."""

    def __init__(self, *, units=durations.UNITS, default_unit=durations.HOURS, **kwargs):
        fields = (
            forms.DecimalField(
                required=False,
                min_value=0,
                max_digits=9,
                decimal_places=2,
                error_messages={
                    "invalid": "Give a number, like 4 or 1.5.",
                    "min_value": "A duration cannot be negative.",
                    "max_decimal_places": "Use at most two decimals.",
                },
            ),
            forms.ChoiceField(choices=units, required=False),
        )
        kwargs.setdefault("required", False)
        super().__init__(
            fields,
            widget=DurationWidget(units=units, default_unit=default_unit),
            require_all_fields=False,
            **kwargs,
        )
        self.units = units
        # A grid cell has no <label> of its own: each input says which cell it is.
        if self.label:
            amount, unit = self.widget.widgets
            amount.attrs["aria-label"] = f"{self.label}: how long"
            unit.attrs["aria-label"] = f"{self.label}: unit"

    def compress(self, data_list):
        if not data_list or data_list[0] in (None, ""):
            return None
        return data_list[0], data_list[1] or durations.MINUTES


def _target_key(metric: str, priority: int) -> str:
    return f"target_{metric}_{priority}"


class PolicyForm(forms.ModelForm):
    priorities = forms.TypedMultipleChoiceField(
        choices=Priority.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Priorities",
        help_text="Tickets of these priorities; none ticked = any priority.",
    )
    pause_statuses = forms.MultipleChoiceField(
        choices=[(s.value, s.label) for s in Status if s in ACTIVE_STATUSES],
        required=False,
        initial=default_pause_statuses,
        widget=forms.CheckboxSelectMultiple,
        label="Clocks pause while",
        help_text="The clocks stop while a ticket has one of these statuses "
        "(usually “Pending on requester”: waiting for an answer).",
    )

    class Meta:
        model = Policy
        fields = [
            "name",
            "position",
            "is_active",
            "calendar",
            "priorities",
            "category",
            "team",
            "organisation",
            "pause_statuses",
            "warn_percent",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.day_minutes = durations.working_day_minutes()
        day = self.day_minutes.get(self.instance.calendar_id) if self.instance.pk else None
        stored = (
            {(t.metric, t.priority): t.minutes for t in self.instance.targets.all()}
            if self.instance.pk
            else {}
        )
        for metric in Metric:
            for priority in Priority:
                key = _target_key(metric.value, priority.value)
                self.fields[key] = DurationField(label=f"{metric.label}, {priority.label}")
                minutes = stored.get((metric.value, priority.value))
                if minutes is not None:
                    self.initial[key] = durations.friendly(minutes=minutes, day_minutes=day)

    # --- what the template iterates ---------------------------------------------------------

    def target_priorities(self):
        return Priority.choices

    def target_rows(self):
        return [
            {
                "metric": metric.label,
                "cells": [self[_target_key(metric.value, p.value)] for p in Priority],
            }
            for metric in Metric
        ]

    def calendar_days(self):
        """Each calendar's working day, so "working days" can be read for what it means."""
        names = dict(self.fields["calendar"].queryset.values_list("pk", "name"))
        return [
            (names[pk], durations.day_length_text(minutes))
            for pk, minutes in sorted(self.day_minutes.items(), key=lambda i: names.get(i[0], ""))
            if pk in names
        ]

    # --- parsing ----------------------------------------------------------------------------

    def clean(self):
        data = super().clean()
        calendar = data.get("calendar")
        day = self.day_minutes.get(calendar.pk) if calendar else None
        self.targets: dict[tuple[str, int], int | None] = {}
        for metric in Metric:
            for priority in Priority:
                key = _target_key(metric.value, priority.value)
                self.targets[(metric.value, priority.value)] = self._minutes(key, data, day)
        return data

    def _minutes(self, key: str, data: dict, day: int | None) -> int | None:
        value = data.get(key)
        if value is None:
            return None
        amount, unit = value
        try:
            minutes = durations.to_minutes(amount=amount, unit=unit, day_minutes=day)
        except ValueError as exc:
            self.add_error(key, str(exc))
            return None
        if minutes == 0:
            self.add_error(key, "A target must be longer than zero; leave it empty for none.")
        return minutes or None


class EscalationStepForm(forms.ModelForm):
    delay = DurationField(
        units=durations.SHORT_UNITS,
        default_unit=durations.MINUTES,
        label="After the breach",
        help_text="Business time after the breach; empty = at once.",
    )
    action = forms.ChoiceField(
        label="Action", error_messages={"required": "Choose what this step does."}
    )
    parameters = ActionParamsField()

    class Meta:
        model = EscalationStep
        fields = ["metric", "action"]

    def __init__(self, *args, shared_choices: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parameters"].widget.build(shared_choices)
        choices = action_choices()
        stored = self.instance.action
        if stored and stored not in dict(choices):
            choices.append((stored, f"{stored} (not installed)"))
        self.fields["action"].choices = choices
        if self.instance.pk:
            self.initial["delay"] = durations.friendly(
                minutes=self.instance.delay_minutes,
                day_minutes=None,
                units=durations.SHORT_UNITS,
            )
            self.initial["parameters"] = self.fields["parameters"].initial_for(
                stored, self.instance.params
            )

    def clean(self):
        data = super().clean()
        name = data.get("action")
        delay = data.get("delay")
        if delay is not None:
            try:
                self.instance.delay_minutes = durations.to_minutes(
                    amount=delay[0], unit=delay[1], day_minutes=None
                )
            except ValueError as exc:
                self.add_error("delay", str(exc))
        else:
            self.instance.delay_minutes = 0
        if not name:
            return data
        if name not in {a.name for a in actions.all_actions()}:
            # A step naming an action whose app is not installed here is kept as it is; it
            # records a clear error when it runs.
            if name != self.instance.action or "action" in self.changed_data:
                self.add_error("action", "This action is not installed: choose another.")
            return data
        try:
            self.instance.params = self.fields["parameters"].action_params_clean(
                name, data.get("parameters") or {}
            )
        except ValidationError as exc:
            self.add_error("parameters", exc)
        return data


class EscalationStepFormSet(BaseInlineFormSet):
    """Rows share one read of the parameter choices (teams, people, templates, policies)."""

    def __init__(self, *args, **kwargs):
        self.shared_choices: dict = {}
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "shared_choices": self.shared_choices}
