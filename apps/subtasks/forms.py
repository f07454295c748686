"""Forms of the agent's subtask panel and the collaborator's page: they parse, services decide."""

from django import forms

from apps.accounts.models import Team, User
from apps.core.numbers import as_id, is_id

from .models import Status, SubtaskKind, SubtaskTemplate


class DateInput(forms.DateInput):
    input_type = "date"


def assignee_choices() -> list:
    teams = [(f"team:{t.pk}", f"Team: {t.name}") for t in Team.objects.order_by("name")]
    people = [
        (f"user:{u.pk}", f"{u.get_full_name()} <{u.email}>")
        for u in User.objects.filter(is_active=True, team_memberships__isnull=False)
        .distinct()
        .order_by("full_name", "email")
    ]
    return [("", "— someone else: type an e-mail address —"), ("Teams", teams), ("People", people)]


class SubtaskForm(forms.Form):
    title = forms.CharField(max_length=200, label="What needs doing")
    kind = forms.ModelChoiceField(
        queryset=SubtaskKind.objects.filter(is_active=True), empty_label=None
    )
    instructions = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Instructions"
    )
    assignee = forms.ChoiceField(required=False, label="Assign to")
    assignee_email = forms.EmailField(
        required=False, label="…or e-mail address", help_text="Anyone: no account needed."
    )
    due_date = forms.DateField(required=False, widget=DateInput, label="Due")
    blocking = forms.BooleanField(required=False, initial=True, label="Blocks resolving the ticket")
    depends_on = forms.MultipleChoiceField(required=False, label="Waits for")
    share_description = forms.BooleanField(
        required=False, initial=True, label="Share the ticket's description"
    )
    shared_comments = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Share these messages",
        help_text="Internal notes are shared only if you tick them here.",
    )

    def __init__(self, *args, ticket, subtasks=(), comments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = assignee_choices()
        self.fields["depends_on"].choices = [(str(s.pk), s.title) for s in subtasks]
        self.subtasks = {str(s.pk): s for s in subtasks}
        self.fields["shared_comments"].choices = [
            (
                str(c.pk),
                f"{'Internal note' if c.is_internal else 'Reply'} by {c.author}: {c.body[:70]}",
            )
            for c in comments
        ]

    def clean_assignee(self):
        value = self.cleaned_data["assignee"]
        if not value:
            return {}
        kind, _, pk = value.partition(":")
        model = {"team": Team, "user": User}.get(kind)
        found = model.objects.filter(pk=as_id(pk)).first() if model and is_id(pk) else None
        if found is None:
            raise forms.ValidationError("Choose someone from the list.")
        return {f"assignee_{kind}": found}

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "kind": data["kind"],
            "instructions": data["instructions"],
            **data["assignee"],
            "assignee_email": data["assignee_email"] or "",
            "due_date": data["due_date"],
            "blocking": data["blocking"],
            "depends_on": [self.subtasks[pk] for pk in data["depends_on"]],
            "share_description": data["share_description"],
            "shared_comment_ids": [int(pk) for pk in data["shared_comments"]],
        }


class TemplateApplyForm(forms.Form):
    template = forms.ModelChoiceField(
        queryset=SubtaskTemplate.objects.filter(is_active=True), empty_label=None
    )


class OverrideForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why resolve with work still open?",
        min_length=5,
    )


class TransitionForm(forms.Form):
    status = forms.ChoiceField(choices=[(s.value, s.label) for s in Status if s != Status.OPEN])
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    time_spent = forms.CharField(required=False, max_length=30)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class TaskCommentForm(forms.Form):
    body = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Message to support"
    )
    files = forms.FileField(
        required=False, widget=MultipleFileInput(attrs={"multiple": True}), label="Attach files"
    )

    def clean_files(self):
        # The view reads every chosen file from request.FILES; the field only draws the input.
        return None


class AnswerForm(TaskCommentForm):
    """Support's answer on a subtask's thread (the assignee reads it and gets it by e-mail)."""

    body = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "Answer the assignee…"}),
        label="Answer",
    )
