"""Web forms of the routing pages (the admin's rule editor lives in admin_forms.py)."""

from django import forms

from apps.accounts.models import Team, Tier

from .models import RootCause


class TriageRouteForm(forms.Form):
    team = forms.ModelChoiceField(
        queryset=Team.objects.filter(is_triage=False), empty_label="Send to team…"
    )
    tier = forms.TypedChoiceField(
        choices=Tier.choices, coerce=int, initial=Tier.ONE, required=False
    )


class ClassificationForm(forms.Form):
    root_cause = forms.ModelChoiceField(
        queryset=RootCause.objects.filter(is_active=True),
        required=False,
        empty_label="— not known yet —",
    )
    is_regression = forms.BooleanField(label="Regression", required=False)
    feature = forms.CharField(label="Product feature", max_length=120, required=False)


class RuleFromTicketForm(forms.Form):
    """The conditions a triager keeps when turning a routing decision into a rule."""

    name = forms.CharField(max_length=120)
    use_category = forms.BooleanField(required=False)
    use_product = forms.BooleanField(required=False)
    use_location = forms.BooleanField(required=False)
    use_domain = forms.BooleanField(label="Requester e-mail domain", required=False)
    team = forms.ModelChoiceField(queryset=Team.objects.filter(is_triage=False))
    tier = forms.TypedChoiceField(choices=Tier.choices, coerce=int, initial=Tier.ONE)
    enabled = forms.BooleanField(label="Switch it on now", required=False)
