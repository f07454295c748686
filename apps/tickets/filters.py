"""The queue's filters, shared by the agent workspace and the API."""

import re
from datetime import UTC, date, datetime, time, timedelta

import django_filters
from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import extend_schema_field

from apps.accounts.models import Team, User
from apps.core.numbers import as_id, is_id

from .custom_fields.models import CustomField, FieldValue
from .models import ACTIVE_STATUSES, Category, Priority, Status, Ticket
from .search import ticket_search_q
from .selectors import ticket_visible_parts

# Each order ends with the id in the same direction, so a page reads one index backwards or
# forwards (the queue's partial indexes in apps.tickets.models) and the API's cursor is exact.
SORTS = {
    "updated": ("-updated_at", "-id"),
    "oldest": ("created_at", "id"),
    "newest": ("-created_at", "-id"),
    "priority": ("-priority", "-updated_at", "-id"),
}

# The date ranges a list filters by, as ?<name>_after= and ?<name>_before=: name → field.
DATE_RANGES = {"created": "created_at", "resolved": "resolved_at", "updated": "updated_at"}
DATE_FIELDS = tuple(f"{name}_{edge}" for name in DATE_RANGES for edge in ("after", "before"))
DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
EARLIEST = datetime.min.replace(tzinfo=UTC)
LATEST = datetime.max.replace(tzinfo=UTC)


def _in_utc(moment: datetime) -> datetime:
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # hours from year 1 or 9999 in UTC: nothing lies beyond anyway
        return EARLIEST if moment.year == 1 else LATEST


def range_start(value: date | datetime) -> datetime:
    """The first instant of a range from ``value``: the day's 00:00 in the desk's time zone, or
    the instant itself."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time.min, tzinfo=timezone.get_default_timezone())
    return _in_utc(value)


def range_stop(value: date | datetime) -> datetime:
    """The first instant after a range to ``value``, which it includes: the next day's 00:00 in
    the desk's time zone, or the next microsecond (the database's precision)."""
    try:
        if isinstance(value, datetime):
            return _in_utc(value) + timedelta(microseconds=1)
        return range_start(value + timedelta(days=1))
    except OverflowError:
        return LATEST


class DayOrInstantField(forms.Field):
    """A day (YYYY-MM-DD), or an exact instant: that day with a time, in ISO 8601 (read in the
    desk's time zone when it has no offset)."""

    default_error_messages = {
        "invalid": "Enter a date as YYYY-MM-DD, or a date and time in ISO 8601 "
        "(2026-03-31T17:30:00+02:00).",
        "no_such_day": "%(value)s is not a date of the calendar.",
    }

    def to_python(self, value) -> date | datetime | None:
        text = str(value or "").strip().upper()  # RFC 3339 allows a lower-case t and z
        if not text:
            return None
        # Only YYYY-MM-DD, alone or followed by a time: Python would also read 20260331 or
        # 2026-W13 — as an instant at 00:00, a surprise as the end of a range.
        if not DAY.match(text) or text[10:11] not in ("", "T", " "):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            day = date.fromisoformat(text[:10])
        except ValueError:
            raise forms.ValidationError(
                self.error_messages["no_such_day"], code="no_such_day", params={"value": text[:10]}
            ) from None
        if len(text) == 10:
            return day
        try:
            moment = parse_datetime(text)
        except (ValueError, OverflowError):  # an hour 25, an offset of a day or more
            moment = None
        if moment is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        if timezone.is_naive(moment):
            moment = moment.replace(tzinfo=timezone.get_default_timezone())
        return moment


class DateBoundFilter(django_filters.Filter):
    """One end of a date range; both ends are included."""

    field_class = DayOrInstantField

    def __init__(self, *, field_name: str, edge: str, help_text: str, **kwargs):
        self.edge = edge
        super().__init__(field_name=field_name, help_text=help_text, **kwargs)
        # The API's schema: a day or a date-time (drf-spectacular would say date-time only).
        extend_schema_field(
            {
                "anyOf": [
                    {"type": "string", "format": "date"},
                    {"type": "string", "format": "date-time"},
                ],
                "description": help_text,
            }
        )(self)

    def filter(self, qs, value):
        if value is None:
            return qs
        if self.edge == "after":
            return qs.filter(**{f"{self.field_name}__gte": range_start(value)})
        return qs.filter(**{f"{self.field_name}__lt": range_stop(value)})


def _date_bound(name: str, edge: str) -> DateBoundFilter:
    if edge == "after":
        which = "on or after this: a day (YYYY-MM-DD, from its 00:00)"
    else:
        which = "on or before this: a day (YYYY-MM-DD, the whole day)"
    help_text = (
        f"Tickets {name} {which} or an exact ISO 8601 date-time, included. Days, and date-times "
        f"without an offset, are in the desk's time zone ({settings.TIME_ZONE})."
    )
    if name == "resolved":
        help_text += " Tickets not resolved now (never, or reopened since) are left out."
    return DateBoundFilter(
        field_name=DATE_RANGES[name], edge=edge, label=f"{name.title()} {edge}", help_text=help_text
    )


class TicketFilterForm(forms.Form):
    """Each date range must end no earlier than it starts; the error goes beside its end."""

    def clean(self):
        cleaned = super().clean()
        for name in DATE_RANGES:
            after, before = cleaned.get(f"{name}_after"), cleaned.get(f"{name}_before")
            if None not in (after, before) and range_start(after) >= range_stop(before):
                self.add_error(f"{name}_before", self.backwards_message(name))
        return cleaned

    def backwards_message(self, name: str) -> str:
        return f"Earlier than {name}_after: the range would be empty."


class TicketFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_search", label="Search")
    status = django_filters.ChoiceFilter(
        choices=[("active", "Active (new, open, pending)"), *Status.choices],
        method="filter_status",
        empty_label="Any status",
    )
    priority = django_filters.ChoiceFilter(choices=Priority.choices, empty_label="Any priority")
    category = django_filters.ModelChoiceFilter(
        queryset=Category.objects.all(), empty_label="Any category"
    )
    team = django_filters.ModelChoiceFilter(queryset=Team.objects.all(), empty_label="My teams")
    tier = django_filters.NumberFilter()
    assignee = django_filters.CharFilter(
        method="filter_assignee", label="Assignee (id, “me” or “none”)"
    )
    requester = django_filters.ModelChoiceFilter(queryset=User.objects.all())
    sort = django_filters.ChoiceFilter(
        choices=[(k, k.title()) for k in SORTS], method="filter_sort", empty_label="Last update"
    )
    created_after = _date_bound("created", "after")
    created_before = _date_bound("created", "before")
    resolved_after = _date_bound("resolved", "after")
    resolved_before = _date_bound("resolved", "before")
    updated_after = _date_bound("updated", "after")
    updated_before = _date_bound("updated", "before")

    class Meta:
        model = Ticket
        form = TicketFilterForm
        fields = ["q", "status", "priority", "category", "team", "tier", "assignee"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        user = getattr(self.request, "user", None)
        parts = ticket_visible_parts(user=user) if user and user.is_authenticated else []
        return queryset.filter(ticket_search_q(value, parts=parts))

    def filter_queryset(self, queryset):
        """The declared filters, then ``cf_<key>=<value>`` for each custom field asked about
        (its value matched whatever its case; unknown keys are ignored like other unknown
        parameters)."""
        queryset = super().filter_queryset(queryset)
        asked = {
            name.removeprefix("cf_"): str(self.data.get(name, "")).strip()[:200]
            for name in (self.data or {})
            if name.startswith("cf_")
        }
        asked = {key: value for key, value in asked.items() if value}
        if asked:
            known = set(CustomField.objects.filter(key__in=asked).values_list("key", flat=True))
            for key in known:
                matches = FieldValue.objects.filter(field__key=key, value__iexact=asked[key])
                queryset = queryset.filter(pk__in=matches.values("ticket_id"))
        return queryset

    def filter_status(self, queryset, name, value):
        if value == "active":
            return queryset.filter(status__in=ACTIVE_STATUSES)
        return queryset.filter(status=value)

    def filter_assignee(self, queryset, name, value):
        if value == "me":
            return queryset.filter(assignee=self.request.user)
        if value == "none":
            return queryset.filter(assignee__isnull=True)
        if is_id(value):
            return queryset.filter(assignee_id=as_id(value))
        return queryset.none()

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(*SORTS[value])
