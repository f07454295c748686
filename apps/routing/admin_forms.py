"""The admin's rule editor: conditions and actions as form rows, stored as validated JSON.

Conditions are rows of field / operator / value, each at the top level or in one of two
sub-groups (A, B) with their own all/any, which covers "Payments and (Store POS or Card
terminal)". A stored tree deeper than that is edited as JSON instead. Action rows offer every
action registered in the ticket action registry, with one widget per parameter kind.
"""

import json

from django import forms

from apps.core.errors import ApplicationError
from apps.tickets import actions as ticket_actions
from apps.tickets.action_forms import (
    action_choices,
    param_initial,
    param_value,
    shared_param_field,
)

from .conditions import LIST_OPERATORS, OPERATORS, all_fields
from .models import Rule
from .rules import rule_clean

MODE_CHOICES = [("all", "all of"), ("any", "any of")]
GROUP_CHOICES = [("", "—"), ("a", "group A"), ("b", "group B")]
EXTRA_ROWS = 3


def _split_tree(tree: dict):
    """Top mode, rows and sub-group modes — or None when the tree is deeper than the editor."""
    mode, items = next(iter((tree or {"all": []}).items()))
    rows, groups = [], {}
    for item in items:
        if "field" in item:
            rows.append(("", item))
            continue
        if len(groups) == 2:
            return None
        letter = "ab"[len(groups)]
        sub_mode, sub_items = next(iter(item.items()))
        if any("field" not in s for s in sub_items):
            return None
        groups[letter] = sub_mode
        rows.extend((letter, s) for s in sub_items)
    return mode, rows, groups


class RuleAdminForm(forms.ModelForm):
    match_mode = forms.ChoiceField(
        choices=MODE_CHOICES,
        label="Match",
        initial="all",
        widget=forms.Select(attrs={"aria-label": "Match all or any of the conditions"}),
    )
    group_a_mode = forms.ChoiceField(
        choices=MODE_CHOICES,
        label="Group A matches",
        initial="any",
        widget=forms.Select(attrs={"aria-label": "Group A matches"}),
    )
    group_b_mode = forms.ChoiceField(
        choices=MODE_CHOICES,
        label="Group B matches",
        initial="any",
        widget=forms.Select(attrs={"aria-label": "Group B matches"}),
    )
    conditions_json = forms.CharField(
        label="Conditions (JSON)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 80}),
        help_text="This rule's conditions nest deeper than the form editor shows; edit them here.",
    )

    class Meta:
        model = Rule
        fields = ["name", "description", "position", "enabled", "stop_processing"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2, "cols": 80})}

    def __init__(self, *args, prefill: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].required = False
        self.fields["position"].help_text = "Lower runs first; empty puts a new rule last."
        rule = prefill or (
            {"conditions": self.instance.conditions, "actions": self.instance.actions}
            if self.instance.pk
            else {"conditions": {"all": []}, "actions": []}
        )
        if prefill:
            for key in ("name", "enabled", "stop_processing"):
                self.initial[key] = prefill[key]
        split = _split_tree(rule["conditions"])
        self.json_mode = split is None
        self.actions_registry = ticket_actions.all_actions()
        if self.json_mode:
            self.initial["conditions_json"] = json.dumps(
                rule["conditions"], indent=2, ensure_ascii=False
            )
            rows = []
        else:
            mode, rows, groups = split
            self.initial["match_mode"] = mode
            for letter, sub_mode in groups.items():
                self.initial[f"group_{letter}_mode"] = sub_mode
        self.n_conditions = len(rows) + EXTRA_ROWS
        self.n_actions = len(rule["actions"]) + 2
        self._condition_fields(rows)
        self._action_fields(rule["actions"])

    def _condition_fields(self, rows):
        field_choices = [("", "—"), *((f.name, f.label) for f in all_fields().values())]
        op_choices = [("", "—"), *OPERATORS.items()]
        for i in range(self.n_conditions):
            group, node = rows[i] if i < len(rows) else ("", {})
            value = node.get("value", "")
            if isinstance(value, list):
                value = ", ".join(value)
            # The rows are a table without a label per cell: each widget names itself.
            row = f"Condition {i + 1}"
            self.fields[f"cond_{i}_group"] = forms.ChoiceField(
                choices=GROUP_CHOICES,
                required=False,
                initial=group,
                widget=forms.Select(attrs={"aria-label": f"{row}: group"}),
            )
            self.fields[f"cond_{i}_field"] = forms.ChoiceField(
                choices=field_choices,
                required=False,
                initial=node.get("field", ""),
                widget=forms.Select(attrs={"aria-label": f"{row}: field"}),
            )
            self.fields[f"cond_{i}_op"] = forms.ChoiceField(
                choices=op_choices,
                required=False,
                initial=node.get("op", ""),
                widget=forms.Select(attrs={"aria-label": f"{row}: comparison"}),
            )
            self.fields[f"cond_{i}_value"] = forms.CharField(
                required=False,
                initial=value,
                widget=forms.TextInput(attrs={"size": 36, "aria-label": f"{row}: value"}),
            )

    def _action_fields(self, stored):
        choices = action_choices()
        shared: dict = {}  # every row offers the same teams and people: read them once
        for j in range(self.n_actions):
            spec = stored[j] if j < len(stored) else {}
            self.fields[f"act_{j}_action"] = forms.ChoiceField(
                choices=choices,
                required=False,
                initial=spec.get("action", ""),
                widget=forms.Select(attrs={"aria-label": f"Action {j + 1}"}),
            )
            for action in self.actions_registry:
                for param in action.params:
                    key = f"act_{j}_{action.name}__{param.name}"
                    self.fields[key] = shared_param_field(action, param, shared)
                    if spec.get("action") == action.name:
                        value = (spec.get("params") or {}).get(param.name)
                        self.initial[key] = param_initial(param, value)

    # --- what the template iterates -------------------------------------------------------

    def condition_rows(self):
        return [
            {part: self[f"cond_{i}_{part}"] for part in ("group", "field", "op", "value")}
            for i in range(self.n_conditions)
        ]

    def action_rows(self):
        rows = []
        for j in range(self.n_actions):
            params = [
                {
                    "action": action.name,
                    "label": action.label,
                    "fields": [self[f"act_{j}_{action.name}__{p.name}"] for p in action.params],
                }
                for action in self.actions_registry
                if action.params
            ]
            rows.append({"action": self[f"act_{j}_action"], "params": params})
        return rows

    # --- parsing ----------------------------------------------------------------------------

    def _conditions(self, data) -> dict:
        if self.json_mode:
            try:
                return json.loads(data.get("conditions_json") or "{}")
            except json.JSONDecodeError as exc:
                raise ApplicationError(
                    f"Conditions (JSON): {exc}.", field="conditions_json"
                ) from None
        top, groups = [], {"a": [], "b": []}
        for i in range(self.n_conditions):
            field, op = data.get(f"cond_{i}_field"), data.get(f"cond_{i}_op")
            if not field and not op:
                continue
            node = {"field": field, "op": op}
            if op != "is_empty":
                value = data.get(f"cond_{i}_value", "")
                node["value"] = value if op not in LIST_OPERATORS else value.split(",")
            group = data.get(f"cond_{i}_group")
            groups.get(group, top).append(node)
        for letter in "ab":
            if groups[letter]:
                top.append({data.get(f"group_{letter}_mode") or "any": groups[letter]})
        return {data.get("match_mode") or "all": top}

    def _actions(self, data) -> list[dict]:
        found = []
        for j in range(self.n_actions):
            name = data.get(f"act_{j}_action")
            if not name:
                continue
            action = ticket_actions.get(name)
            params = {}
            for param in action.params:
                value = param_value(param, data.get(f"act_{j}_{name}__{param.name}"))
                if value is not None:
                    params[param.name] = value
            found.append({"action": name, "params": params})
        return found

    def clean(self):
        data = super().clean()
        try:
            self.rule_data = rule_clean(
                {**data, "conditions": self._conditions(data), "actions": self._actions(data)}
            )
        except ApplicationError as exc:
            self.add_error(None, exc.message)
        return data


class RuleImportForm(forms.Form):
    file = forms.FileField(help_text="A file made by “Export rules”. It replaces every rule.")


class BacktestForm(forms.Form):
    limit = forms.IntegerField(
        label="Last N tickets",
        min_value=1,
        max_value=5000,
        initial=200,
        widget=forms.NumberInput(attrs={"aria-label": "How many of the last tickets"}),
    )
