from django import forms
from django.contrib.auth import forms as auth_forms
from django.template import loader

from .services import email_sign_in_allowed, password_reset_mail, user_set_password


class SignInForm(auth_forms.AuthenticationForm):
    username = forms.EmailField(label="E-mail", widget=forms.EmailInput(attrs={"autofocus": True}))


class SignInLinkForm(forms.Form):
    email = forms.EmailField(label="E-mail")


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, with its e-mail sent through the outbox and only to people who may
    sign in by e-mail (see EMAIL_SIGN_IN_FOR_SUPERUSERS)."""

    email = forms.EmailField(
        label="E-mail",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def get_users(self, email):
        return (user for user in super().get_users(email) if email_sign_in_allowed(user))

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        password_reset_mail(
            user=context["user"], subject=subject, body=body, token=context["token"]
        )


class SetPasswordForm(auth_forms.SetPasswordForm):
    def save(self, commit=True):
        return user_set_password(user=self.user, password=self.cleaned_data["new_password1"])


class SignUpForm(forms.Form):
    full_name = forms.CharField(label="Your name", max_length=150)
    email = forms.EmailField(label="Work e-mail", max_length=254)
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def add_service_error(self, error):
        self.add_error(error.field if error.field in self.fields else None, error.message)


class SignUpConfirmForm(forms.Form):
    password = forms.CharField(
        label="The password you chose",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )


class MailSettingsForm(forms.Form):
    """A box per e-mail offered to this person (``apps.core.mailchoices``): ticked, they get it."""

    wanted = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "“%(value)s” is not an e-mail you can choose here."},
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["wanted"].choices = [(choice.key, choice.label) for choice in choices]
