"""The forms of problems: the analysis, and choosing a problem for tickets."""

from django import forms

from apps.accounts.models import Team
from apps.core.text import validate_single_line
from apps.tickets.forms import ServiceErrorMixin

from .models import ProblemStatus
from .services import WHYS_MAX


class ProblemForm(ServiceErrorMixin, forms.Form):
    title = forms.CharField(max_length=200, validators=[validate_single_line])
    team = forms.ModelChoiceField(queryset=Team.objects.all(), label="Owning team")
    status = forms.ChoiceField(choices=ProblemStatus.choices, initial=ProblemStatus.INVESTIGATING)
    root_cause = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Root cause"
    )
    workaround = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown on every linked ticket's page for agents.",
    )
    fix_planned_for = forms.DateField(
        required=False, label="Fix planned for", widget=forms.DateInput(attrs={"type": "date"})
    )
    is_public = forms.BooleanField(required=False, label="List on the known-issues page")
    public_summary = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="What requesters read",
        help_text="Plain words, no internal detail: shown publicly and on linked requests.",
    )

    def __init__(self, *args, problem=None, **kwargs):
        super().__init__(*args, **kwargs)
        whys = [w.answer for w in problem.whys.all()] if problem is not None else []
        for n in range(1, WHYS_MAX + 1):
            self.fields[f"why_{n}"] = forms.CharField(
                required=False,
                max_length=500,
                label=f"Why? ({n})",
                initial=whys[n - 1] if n <= len(whys) else "",
                validators=[validate_single_line],
            )

    def why_fields(self):
        return [self[f"why_{n}"] for n in range(1, WHYS_MAX + 1)]

    def data_for_service(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if not k.startswith("why_")}

    def whys(self) -> list[str]:
        return [self.cleaned_data[f"why_{n}"] for n in range(1, WHYS_MAX + 1)]

    @staticmethod
    def initial_for(problem) -> dict:
        fields = ("title", "team", "status", "root_cause", "workaround", "fix_planned_for",
                  "is_public", "public_summary")  # fmt: skip
        return {name: getattr(problem, name) for name in fields}
