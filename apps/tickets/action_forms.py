"""Form fields for ticket actions, so admins pick an action and fill in its parameters as real
fields (a priority select, a person select) instead of typing a name and JSON.

Every parameter kind of the action registry maps to one form field here; routing rules and
SLA escalation steps both build their editors from it.
"""

import copy

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join

from apps.accounts.models import Team, Tier, User
from apps.core.errors import ApplicationError

from . import actions
from .models import Priority


def param_field(param: actions.Param) -> forms.Field:
    """The form field a parameter's kind calls for (never required: only the chosen action's
    parameters are checked, by the action itself)."""
    label, kind = param.label, param.kind
    if kind == "team":
        return forms.ModelChoiceField(Team.objects.all(), label=label, required=False)
    if kind == "user":
        agents = User.objects.filter(is_active=True, team_memberships__isnull=False).distinct()
        return forms.ModelChoiceField(agents, label=label, required=False)
    if kind == "users":
        return forms.ModelMultipleChoiceField(
            User.objects.filter(is_active=True),
            label=label,
            required=False,
            widget=forms.SelectMultiple(attrs={"size": 4}),
        )
    if kind in ("tier", "priority", "choice"):
        choices = {"tier": Tier.choices, "priority": Priority.choices}.get(kind, param.choices)
        return forms.ChoiceField(choices=[("", "—"), *choices], label=label, required=False)
    help_text = "Words separated by spaces or commas." if kind == "tags" else ""
    return forms.CharField(label=label, required=False, help_text=help_text)


def shared_param_field(
    action: actions.TicketAction, param: actions.Param, shared: dict
) -> forms.Field:
    """A parameter's field whose choices are read once for all the rows of a page that pass
    the same ``shared`` dict (every row offers the same teams, people and templates)."""
    key = _key(action, param)
    if key not in shared:
        field = param_field(param)
        choices = getattr(field.widget, "choices", None)
        shared[key] = (field, None if choices is None else list(choices))
    field, choices = shared[key]
    field = copy.deepcopy(field)
    if choices is not None:
        field.widget.choices = choices
    return field


def param_value(param: actions.Param, value):
    """A cleaned form value as the action's stored parameter (None: not given)."""
    if value in (None, "", []):
        return None
    if param.kind in ("team", "user"):
        return value.pk
    if param.kind == "users":
        return [u.pk for u in value]
    if param.kind in ("tier", "priority"):
        return int(value)
    return value


def param_initial(param: actions.Param, value):
    """A stored parameter as the form field's initial value."""
    if param.kind == "tags" and isinstance(value, list):
        return ", ".join(value)
    return value


def action_choices() -> list[tuple[str, str]]:
    return [("", "—"), *((a.name, a.label) for a in actions.all_actions())]


def _key(action: actions.TicketAction, param: actions.Param) -> str:
    return f"{action.name}__{param.name}"


class ActionParamsWidget(forms.Widget):
    """Every registered action's parameters as labelled fields, one block per action. A small
    script shows only the block of the action chosen in the same row; without it all blocks
    show, each field's label naming the action it belongs to."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self._fields: dict[str, tuple] | None = None

    def __deepcopy__(self, memo):
        copied = super().__deepcopy__(memo)
        copied._fields = None  # each form builds its own (from a shared cache, if given)
        return copied

    def build(self, shared: dict | None = None) -> None:
        """Make the parameter fields. Forms of one formset pass the same ``shared`` dict, so
        the choices (teams, people, templates, policies) are read once for all their rows."""
        shared = {} if shared is None else shared
        self._fields = {
            _key(action, param): (action, param, shared_param_field(action, param, shared))
            for action in actions.all_actions()
            for param in action.params
        }

    @property
    def fields(self) -> dict[str, tuple]:
        # Built on first use, not at import: the fields read the registry and the database.
        if self._fields is None:
            self.build()
        return self._fields

    def value_from_datadict(self, data, files, name):
        return {
            key: field.widget.value_from_datadict(data, files, f"{name}_{key}")
            for key, (_a, _p, field) in self.fields.items()
        }

    def value_omitted_from_data(self, data, files, name):
        return False

    def render(self, name, value, attrs=None, renderer=None):
        value = value or {}
        blocks = []
        for action in actions.all_actions():
            if not action.params:
                continue
            inputs = []
            for param in action.params:
                key = _key(action, param)
                field = self.fields[key][2]
                html_id = f"id_{name}_{key}"
                widget = field.widget.render(
                    f"{name}_{key}", value.get(key), attrs={"id": html_id}, renderer=renderer
                )
                inputs.append((html_id, param.label, action.label, widget))
            blocks.append(
                format_html(
                    '<span class="action-params" data-action="{}">{}</span>',
                    action.name,
                    format_html_join(
                        "",
                        '<label for="{}">{} <span class="action-params-for">({})</span>{}</label>',
                        inputs,
                    ),
                )
            )
        return format_html(
            '<div class="action-params-all">{}</div>',
            format_html_join("", "{}", ((b,) for b in blocks)),
        )


class ActionParamsField(forms.Field):
    """The raw parameter values of every action; ``action_params_clean`` turns those of the
    chosen action into the stored parameters."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "Parameters")
        super().__init__(widget=ActionParamsWidget, **kwargs)

    def clean(self, value):
        return value or {}

    def has_changed(self, initial, data):
        return _comparable(initial or {}) != _comparable(data or {})

    def initial_for(self, name: str, params: dict) -> dict:
        """The widget's initial values for a stored action."""
        action = actions._registry.get(name)
        if action is None:
            return {}
        return {
            _key(action, param): _as_form_value(
                param_initial(param, (params or {}).get(param.name))
            )
            for param in action.params
        }

    def action_params_clean(self, name: str, raw: dict) -> dict:
        """The chosen action's parameters, checked by each field and then by the action;
        ValidationError says what is wrong in words."""
        action = actions.get(name)
        params = {}
        for param in action.params:
            field = self.widget.fields[_key(action, param)][2]
            try:
                value = field.clean(raw.get(_key(action, param)))
            except ValidationError as exc:
                raise ValidationError(f"{action.label}: {param.label}: {exc.messages[0]}") from None
            stored = param_value(param, value)
            if stored is not None:
                params[param.name] = stored
        try:
            return action.validate(params)
        except ApplicationError as exc:
            raise ValidationError(exc.message) from None


def _as_form_value(value):
    if isinstance(value, list):
        return [str(v) for v in value]
    return "" if value is None else str(value)


def _comparable(values: dict) -> dict:
    """Raw values without the empty ones, as text: what the person typed or left."""
    found = {}
    for key, value in values.items():
        if isinstance(value, (list, tuple)):
            value = sorted(str(v) for v in value if v not in (None, ""))
        else:
            value = "" if value is None else str(value).strip()
        if value:
            found[key] = value
    return found
