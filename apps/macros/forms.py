"""The agent's form for a personal macro. It parses; the services decide."""

from django import forms

from apps.tickets.forms import ServiceErrorMixin
from apps.tickets.models import Priority

from .models import MACRO_STATUSES, Macro

UNCHANGED = ("", "— Leave as it is —")


class MacroForm(ServiceErrorMixin, forms.ModelForm):
    class Meta:
        model = Macro
        fields = ["name", "body", "internal", "set_status", "set_priority", "add_tags"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 8}),
            "add_tags": forms.TextInput(attrs={"placeholder": "e.g. vpn, password"}),
        }
        labels = {"internal": "Send as an internal note"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["set_status"].choices = [UNCHANGED, *MACRO_STATUSES]
        self.fields["set_priority"].choices = [UNCHANGED, *Priority.choices]

    def _post_clean(self):
        """The services validate (and name the field at fault): the form only parses."""
