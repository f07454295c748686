"""Forms of ratings and kudos: they parse what people send; the services decide."""

import re

from django import forms

from apps.accounts.models import User
from apps.tickets.forms import ServiceErrorMixin

from .models import Kudos, Score
from .selectors import DEFAULT_PERIOD, PERIODS
from .services import MAX_COMMENT, MAX_RECIPIENTS


class RatingForm(ServiceErrorMixin, forms.Form):
    score = forms.ChoiceField(
        label="Your rating",
        choices=Score.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose Good or Bad."},
    )
    comment = forms.CharField(
        label="Anything you would like to tell the team?",
        required=False,
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional. Praise goes to the person who helped you.",
    )


class KudosFilterForm(forms.Form):
    """The kudos page's filters (GET): the choices are the reader's own teams and agents."""

    team = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    agent = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    period = forms.ChoiceField(
        required=False, choices=[(key, label) for key, (label, _) in PERIODS.items()]
    )

    def __init__(self, data, *, teams, agents):
        super().__init__(data, initial={"period": DEFAULT_PERIOD})
        self.fields["team"].choices = [("", "Every team"), *((t.pk, t.name) for t in teams)]
        self.fields["agent"].choices = [
            ("", "Every agent"),
            *((a.pk, a.get_full_name()) for a in agents),
        ]


_SPLIT = re.compile(r"[\s,;]+")


class ShareForm(ServiceErrorMixin, forms.Form):
    """Which kudos go to whom: managers ticked from the list, anyone else by address."""

    kudos = forms.ModelMultipleChoiceField(
        queryset=Kudos.objects.none(), error_messages={"required": "Tick the kudos to share."}
    )
    managers = forms.ModelMultipleChoiceField(queryset=User.objects.none(), required=False)
    addresses = forms.CharField(
        label="Others (e-mail addresses)",
        required=False,
        max_length=2000,
        help_text="Anyone with an account here, separated by commas.",
    )
    message = forms.CharField(
        label="Message",
        required=False,
        max_length=MAX_COMMENT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, data=None, *, kudos, managers):
        super().__init__(data)
        # Only kudos the reader may see can be chosen: any other id is refused as unknown.
        self.fields["kudos"].queryset = kudos
        self.fields["managers"].queryset = managers

    def clean_addresses(self) -> list[str]:
        addresses = [a for a in _SPLIT.split(self.cleaned_data["addresses"]) if a]
        if len(addresses) > MAX_RECIPIENTS:
            raise forms.ValidationError(f"At most {MAX_RECIPIENTS} people at a time.")
        return addresses
