"""Forms of the escalate, hand-back and holder dialogs (they parse; the services decide)."""

from django import forms

from apps.accounts.models import User


class EscalateForm(forms.Form):
    """Reason, plus one field per checklist item the target tier requires."""

    # Where the agent saw the ticket: the service refuses the move if it is elsewhere now.
    expected_tier = forms.IntegerField(widget=forms.HiddenInput)
    expected_team = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What has been tried, and why the next tier is needed.",
    )

    def __init__(self, *args, items=(), values=None, **kwargs):
        super().__init__(*args, **kwargs)
        values = values or {}
        self.items = list(items)
        for item in self.items:
            self.fields[f"checklist_{item.key}"] = forms.CharField(
                label=item.label,
                help_text=item.help_text,
                initial=values.get(item.pk, ""),
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def checklist_fields(self):
        return [self[f"checklist_{item.key}"] for item in self.items]

    def checklist_values(self) -> dict:
        # Read raw data, not cleaned_data: the service names every missing item in one message.
        return {item.key: self.data.get(f"checklist_{item.key}", "") for item in self.items}


class HandBackForm(forms.Form):
    # Where the agent saw the ticket: the service refuses the move if it is elsewhere now.
    expected_tier = forms.IntegerField(widget=forms.HiddenInput)
    expected_team = forms.IntegerField(widget=forms.HiddenInput, required=False)
    to_requester = forms.TypedChoiceField(
        label="Send it back to",
        choices=(("0", "The previous tier"), ("1", "The requester (pending on them)")),
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="0",
    )
    missing = forms.MultipleChoiceField(
        label="Missing information",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label="What is needed",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["missing"].choices = [(item.key, item.label) for item in items]


class HolderForm(forms.Form):
    holder = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, empty_label="— nobody —"
    )

    def __init__(self, *args, agents=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["holder"].queryset = agents if agents is not None else User.objects.none()
