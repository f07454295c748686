"""The forms of case scoring: a new round, and a case's questionnaire."""

import datetime

from django import forms
from django.utils import timezone

from apps.accounts.models import User

from .models import Questionnaire, SampleOrder, SampleRule, ScoreGroup
from .selectors import reviewer_choices, teams_for_rounds


def last_quarter(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The previous full calendar quarter."""
    quarter_start = datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    end = quarter_start - datetime.timedelta(days=1)
    return datetime.date(end.year, end.month - 2, 1), end


def points(value: int) -> str:
    """Points as a reviewer reads them beside an answer: "+3", "-1", "0"."""
    return f"{value:+d}" if value else "0"


def quarter_name(start: datetime.date) -> str:
    return f"Q{(start.month - 1) // 3 + 1} {start.year}"


class ReviewerChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user: User) -> str:
        teams = ", ".join(m.team.name for m in user.memberships)
        return f"{user} ({teams})" if teams else str(user)


class RoundForm(forms.Form):
    name = forms.CharField(max_length=120)
    questionnaire = forms.ModelChoiceField(
        Questionnaire.objects.filter(is_active=True, questions__isnull=False).distinct()
    )
    teams = forms.ModelMultipleChoiceField(queryset=None, widget=forms.CheckboxSelectMultiple)
    period_start = forms.DateField(
        label="First day", widget=forms.DateInput(attrs={"type": "date"})
    )
    period_end = forms.DateField(
        label="Last day", widget=forms.DateInput(attrs={"type": "date"}), help_text="Included."
    )
    sample_rule = forms.ChoiceField(
        label="Sample", choices=SampleRule.choices, widget=forms.RadioSelect
    )
    sample_size = forms.IntegerField(
        label="n",
        min_value=1,
        max_value=1000,
        required=False,
        help_text="Tickets per team or per category (not used for “every ticket”).",
    )
    sample_order = forms.ChoiceField(
        label="Which ones", choices=SampleOrder.choices, widget=forms.RadioSelect
    )
    reviewers = ReviewerChoice(queryset=None, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, user: User, **kwargs):
        start, end = last_quarter(timezone.localdate())
        kwargs.setdefault(
            "initial",
            {
                "name": f"{quarter_name(start)} case review",
                "period_start": start,
                "period_end": end,
                "sample_rule": SampleRule.PER_CATEGORY,
                "sample_size": 10,
                "sample_order": SampleOrder.RANDOM,
            },
        )
        super().__init__(*args, **kwargs)
        teams = teams_for_rounds(user)
        self.fields["teams"].queryset = teams
        if teams.count() == 1:
            self.fields["teams"].initial = list(teams)
        questionnaires = self.fields["questionnaire"].queryset
        if questionnaires.count() == 1:
            self.fields["questionnaire"].initial = questionnaires.first()
        self.fields["reviewers"].queryset = reviewer_choices(user).prefetch_related(
            "team_memberships__team"
        )


class ScoreForm(forms.Form):
    """One field per question: a radio list for the scored ones, a text box for the others.
    Field ``q<id>``; the service checks the answers again (and sums the points)."""

    def __init__(self, *args, questions, answers=None, **kwargs):
        answers = answers or {}
        initial = {}
        for question in questions:
            answer = answers.get(question.pk)
            if answer is not None:
                initial[f"q{question.pk}"] = answer.choice_id or answer.text
        super().__init__(*args, initial=initial, **kwargs)
        self.questions = questions
        for question in questions:
            name = f"q{question.pk}"
            if question.group == ScoreGroup.FREE_TEXT:
                self.fields[name] = forms.CharField(
                    label=question.text,
                    help_text=question.help_text,
                    required=False,
                    max_length=5000,
                    widget=forms.Textarea(attrs={"rows": 3}),
                )
                continue
            choices = [(c.pk, f"{c.text} ({points(c.points)})") for c in question.choices.all()]
            self.fields[name] = forms.TypedChoiceField(
                label=question.text,
                help_text=question.help_text,
                choices=choices,
                coerce=int,
                required=bool(choices),
                widget=forms.RadioSelect,
                error_messages={"required": "Choose an answer."},
            )

    def answers(self) -> dict[int, object]:
        return {q.pk: self.cleaned_data.get(f"q{q.pk}") for q in self.questions}

    def sections(self) -> list[tuple[str, list]]:
        """The fields by group, in the questionnaire's order: product, process, free text."""
        order = [ScoreGroup.PRODUCT, ScoreGroup.PROCESS, ScoreGroup.FREE_TEXT]
        labels = dict(ScoreGroup.choices)
        return [
            (labels[group], [self[f"q{q.pk}"] for q in self.questions if q.group == group])
            for group in order
            if any(q.group == group for q in self.questions)
        ]
