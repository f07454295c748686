"""Web forms of the portal and the agent workspace. They parse input; services decide."""

from django import forms
from django.conf import settings
from django.db.models import F, Q
from django.utils.functional import lazy

from apps.accounts.models import Team, User
from apps.core.errors import ApplicationError
from apps.core.text import validate_single_line

from . import extensions
from .custom_fields.models import CustomField, FieldKind
from .custom_fields.selectors import active_fields
from .filters import DATE_FIELDS, DATE_RANGES, TicketFilter, TicketFilterForm
from .models import (
    ACTIVE_STATUSES,
    ASSISTED_CHANNELS,
    Category,
    Channel,
    Impact,
    Location,
    Priority,
    Product,
    Resolution,
    Status,
    Ticket,
    Urgency,
)
from .selectors import agent_choices_for


def _attachment_help() -> str:
    size = settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)
    return (
        f"Images, PDF, text, CSV, ZIP or Office documents; up to {size} MB each, "
        f"at most {settings.ATTACHMENT_MAX_PER_MESSAGE} files."
    )


ATTACHMENT_HELP = lazy(_attachment_help, str)()


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; cleans to a (possibly empty) list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", ATTACHMENT_HELP)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        clean_one = super().clean
        if isinstance(data, list | tuple):
            return [clean_one(item, initial) for item in data if item]
        return [clean_one(data, initial)] if data else []


class ServiceErrorMixin:
    """Put a service's ApplicationError beside the field it names (or above the form)."""

    def add_service_error(self, error: ApplicationError) -> None:
        field = error.field if error.field in self.fields else None
        self.add_error(field, error.message)


def _active(model, current=None):
    """Active lookup entries, plus the retired one a ticket already carries."""
    q = Q(is_active=True)
    if current is not None:
        q |= Q(pk=current.pk)
    return model.objects.filter(q)


def _custom_form_field(field: CustomField) -> forms.Field:
    """The intake form's field for a custom field: never required here (the service knows
    which category asks for it), typed by its kind."""
    common = {"label": field.label, "required": False, "help_text": field.help_text}
    if field.kind == FieldKind.CHOICE:
        choices = [("", "—"), *((o, o) for o in field.options)]
        return forms.ChoiceField(choices=choices, **common)
    if field.kind == FieldKind.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if field.kind == FieldKind.NUMBER:
        return forms.DecimalField(max_digits=20, decimal_places=6, **common)
    return forms.CharField(max_length=200, validators=[validate_single_line], **common)


class TicketNewForm(ServiceErrorMixin, forms.Form):
    subject = forms.CharField(
        max_length=200,
        validators=[validate_single_line],
        widget=forms.TextInput(attrs={"placeholder": "e.g. The card reader at till 3 is offline"}),
    )
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text="What happened, what you expected, and since when.",
    )
    category = forms.ModelChoiceField(
        queryset=Category.objects.none(), required=False, empty_label="— Choose the problem —"
    )
    location = forms.ModelChoiceField(
        queryset=Location.objects.none(), required=False, empty_label="— Where are you? —"
    )
    product = forms.ModelChoiceField(
        queryset=Product.objects.none(),
        required=False,
        label="Product impacted",
        empty_label="— Which product or tool? —",
    )
    urgency = forms.TypedChoiceField(
        label="Are you blocked?",
        choices=Urgency.choices,
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
    )
    impact = forms.TypedChoiceField(
        label="Who is affected?",
        choices=Impact.choices,
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
    )
    attachments = MultipleFileField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = _active(Category)
        self.fields["location"].queryset = _active(Location)
        self.fields["product"].queryset = _active(Product)
        self.custom = active_fields()
        for field in self.custom:
            self.fields[field.name] = _custom_form_field(field)

    def custom_fields(self) -> list[tuple]:
        """(bound field, the category ids it is asked for: "" for all) for the template."""
        return [
            (self[field.name], " ".join(str(pk) for pk in sorted(field.category_ids)))
            for field in self.custom
        ]

    def custom_answers(self) -> dict[str, str]:
        """What was typed into the custom fields, checked by the service against the category."""
        return {
            field.name: str(self.cleaned_data.get(field.name) or "")
            for field in self.custom
            if self.cleaned_data.get(field.name) not in (None, "")
        }

    def ticket_data(self) -> dict:
        """The cleaned fields the services take, custom answers apart (``custom_answers``)."""
        return {k: v for k, v in self.cleaned_data.items() if not k.startswith("cf_")}


class ReplyForm(ServiceErrorMixin, forms.Form):
    body = forms.CharField(label="Message", widget=forms.Textarea(attrs={"rows": 5}))
    attachments = MultipleFileField()


class AgentReplyForm(ReplyForm):
    visibility = forms.ChoiceField(
        choices=[("public", "Public reply"), ("internal", "Internal note")],
        initial="public",
        widget=forms.RadioSelect,
    )

    time_spent = forms.CharField(
        label="Time spent",
        required=False,
        max_length=30,
        help_text="e.g. 25m, 1h30",
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "time-input"}),
    )

    field_order = ["visibility", "body", "time_spent", "attachments"]

    @property
    def is_internal(self) -> bool:
        return self.cleaned_data.get("visibility") == "internal"


class TicketPropertiesForm(ServiceErrorMixin, forms.Form):
    """The agent's properties panel. Only what differs from the ticket is sent to the service."""

    status = forms.ChoiceField(choices=Status.choices)
    priority = forms.TypedChoiceField(choices=Priority.choices, coerce=int)
    category = forms.ModelChoiceField(
        queryset=Category.objects.none(), required=False, empty_label="—"
    )
    location = forms.ModelChoiceField(
        queryset=Location.objects.none(), required=False, empty_label="—"
    )
    product = forms.ModelChoiceField(
        queryset=Product.objects.none(), required=False, empty_label="—"
    )
    team = forms.ModelChoiceField(queryset=Team.objects.all(), required=False, empty_label="—")
    # No tier here: the tier moves only by escalating or handing back (the tier panel).
    assignee = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, empty_label="Unassigned"
    )
    tags = forms.CharField(required=False, help_text="Separate with commas.")
    resolution = forms.ChoiceField(
        choices=[("", "—"), *Resolution.choices],
        required=False,
        help_text="How it was solved: asked when you resolve or close it.",
    )

    def __init__(self, *args, ticket: Ticket, **kwargs):
        self.ticket = ticket
        kwargs.setdefault("initial", self.initial_for(ticket))
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = _active(Category, ticket.category)
        self.fields["location"].queryset = _active(Location, ticket.location)
        self.fields["product"].queryset = _active(Product, ticket.product)
        # Agents of the ticket's team, and its assignee and holder now: the service accepts
        # no one else.
        self.fields["assignee"].queryset = agent_choices_for(ticket=ticket)
        self.question_names = self._add_resolve_questions(ticket)

    def _add_resolve_questions(self, ticket: Ticket) -> list[str]:
        """What resolving or closing would have to decide (open subtasks…), asked in advance:
        left unanswered, the service refuses to resolve and the error lands beside it."""
        if ticket.status in (Status.RESOLVED, Status.CLOSED):
            return []
        names = []
        for question, text in extensions.resolve_questions_for(ticket):
            self.fields[question.name] = forms.ChoiceField(
                choices=question.choices,
                required=False,
                widget=forms.RadioSelect,
                label=question.label,
                help_text=text,
            )
            names.append(question.name)
            if question.note_name:
                self.fields[question.note_name] = forms.CharField(
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 2}),
                    label=question.note_label,
                )
                names.append(question.note_name)
        return names

    @property
    def question_fields(self) -> list:
        return [self[name] for name in self.question_names]

    def answers(self) -> dict:
        return {name: self.cleaned_data.get(name) or "" for name in self.question_names}

    @staticmethod
    def initial_for(ticket: Ticket) -> dict:
        return {
            "status": ticket.status,
            "priority": ticket.priority,
            "category": ticket.category_id,
            "location": ticket.location_id,
            "product": ticket.product_id,
            "team": ticket.team_id,
            "assignee": ticket.assignee_id,
            "tags": ", ".join(t.name for t in ticket.tags.all()),
            "resolution": ticket.resolution,
        }

    def clean(self):
        cleaned = super().clean()
        finishing = (
            cleaned.get("status") in (Status.RESOLVED, Status.CLOSED) and self.ticket.is_active
        )
        if finishing and not cleaned.get("resolution"):
            # Leads count "closed by sharing information" from it: every resolved ticket says.
            self.add_error("resolution", "Say how it was resolved.")
        return cleaned

    def clean_tags(self) -> list[str]:
        return sorted(
            {t.strip().lower() for t in self.cleaned_data["tags"].split(",") if t.strip()}
        )

    def changed_data_for_service(self) -> dict:
        """The fields whose value differs from the ticket, in the form ticket_update takes."""
        current = self.initial_for(self.ticket)
        current["tags"] = sorted(t.name for t in self.ticket.tags.all())
        data = {}
        for name, value in self.cleaned_data.items():
            if name in self.question_names:
                continue
            compared = value.pk if hasattr(value, "pk") else value
            if compared != current[name]:
                data[name] = value
        return data


# The queue's order for a created or resolved period that ends. In the usual order PostgreSQL
# reads a team's tickets newest first in the queue's index until a page matches, through all
# those touched since the period ended: most of a big desk's history for last year's quarter.
# "NULLS LAST" (the same order: updated_at is never null) is one that index cannot give, so it
# reads the period through the created_at or (team, resolved_at) index and sorts just those.
PERIOD_ORDER = (F("updated_at").desc(nulls_last=True), F("id").desc())


class QueueFilterForm(TicketFilterForm):
    def backwards_message(self, name: str) -> str:
        return "“To” is before “from”."


class QueueFilterSet(TicketFilter):
    """The shared TicketFilter, plus sorting by any sortable column a feature app added, and
    date ranges that show no list until they read right (a period read wrong misleads)."""

    class Meta(TicketFilter.Meta):
        form = QueueFilterForm

    def __init__(self, *args, user: User, **kwargs):
        self.column_sorts = {c.name: c for c in extensions.queue_columns() if c.sortable}
        super().__init__(*args, **kwargs)
        # Adjust the form's fields, not the filters: a filter caches its field once built.
        # Their choices already start with the empty one, which setting them adds again.
        fields = self.form.fields
        fields["status"].choices = [
            (value, "Active" if value == "active" else label)
            for value, label in fields["status"].choices
            if value != ""
        ]
        fields["sort"].choices = [
            *((value, label) for value, label in fields["sort"].choices if value != ""),
            *((c.name, c.header) for c in self.column_sorts.values()),
        ]
        if user.is_superuser:
            fields["team"].empty_label = "All teams"
        else:
            fields["team"].queryset = Team.objects.filter(pk__in=user.team_ids)
        for name in DATE_FIELDS:  # the date inputs send days only
            fields[name].error_messages["invalid"] = "Enter a date like 2026-03-31."

    @property
    def date_ranges(self) -> list[dict]:
        """Each range's label and its two bound fields, for the "Dates" group."""
        form = self.form
        return [
            {
                "label": name.title(),
                "after": form[f"{name}_after"],
                "before": form[f"{name}_before"],
            }
            for name in DATE_RANGES
        ]

    @property
    def dates_in_force(self) -> list[tuple[str, str, str]]:
        """(name, label, value) of each date sent, e.g. ("created_after", "Created from", …)."""
        sent = []
        for name in DATE_RANGES:
            for edge, word in (("after", "from"), ("before", "to")):
                value = (self.data.get(f"{name}_{edge}") or "").strip()
                if value:
                    sent.append((f"{name}_{edge}", f"{name.title()} {word}", value))
        return sent

    @property
    def date_errors(self) -> bool:
        return any(name in self.form.errors for name in DATE_FIELDS)

    @property
    def other_errors(self) -> dict:
        """Errors of the other filters: the dates show theirs beside their fields."""
        return {k: v for k, v in self.form.errors.items() if k not in DATE_FIELDS}

    @property
    def empty_hint(self) -> str:
        """Why an empty list may be the filters' doing: a reopened ticket is not resolved."""
        cleaned = getattr(self.form, "cleaned_data", {})
        resolved = cleaned.get("resolved_after") or cleaned.get("resolved_before")
        if resolved and cleaned.get("status") in ("active", *ACTIVE_STATUSES):
            return "Only resolved and closed tickets have a resolved date: set Status to “Any”."
        return ""

    def filter_queryset(self, queryset):
        if self.date_errors:
            return queryset.none()
        queryset = super().filter_queryset(queryset)
        ends = any(self.form.cleaned_data.get(f"{name}_before") for name in ("created", "resolved"))
        if ends and queryset.query.order_by == ("-updated_at", "-id"):
            queryset = queryset.order_by(*PERIOD_ORDER)
        return queryset

    def filter_sort(self, queryset, name, value):
        column = self.column_sorts.get(value)
        if column is None:
            return super().filter_sort(queryset, name, value)
        # Ascending, none last, then the id: the order of the column's index (e.g. SLA due,
        # a ticket field). An annotation to sort by is added here, where the page's ids are read.
        queryset = column.annotate(queryset)
        return queryset.order_by(F(column.sortable).asc(nulls_last=True), "id")


class CallerTicketForm(TicketNewForm):
    """A ticket an agent opens for someone on the phone, in a chat or at the desk."""

    channel = forms.ChoiceField(
        choices=[(c.value, c.label) for c in ASSISTED_CHANNELS],
        label="Came in by",
        widget=forms.RadioSelect,
        initial=Channel.PHONE,
    )
    requester_email = forms.CharField(
        label="Requester's e-mail",
        max_length=254,
        help_text="Type part of a name or address to find someone.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "list": "people-found"}),
    )
    requester_name = forms.CharField(
        label="Name, for someone new",
        max_length=150,
        required=False,
        help_text="Only needed when nobody has this address yet.",
    )
    field_order = ["channel", "requester_email", "requester_name"]
