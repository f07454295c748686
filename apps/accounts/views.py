"""Signing in (password or e-mailed link), resetting a password, and the landing page that sends
people where they work."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_http_methods

from apps.core import mailchoices
from apps.core.errors import ApplicationError
from apps.core.ratelimits import TOO_MANY_MAILS, mail_form_over_limit, over_limit, rate_limited

from .forms import (
    MailSettingsForm,
    PasswordResetForm,
    SetPasswordForm,
    SignInForm,
    SignInLinkForm,
    SignUpConfirmForm,
    SignUpForm,
)
from .oidc import sign_on_provider_name
from .services import mail_preferences_set, sign_in_link_send, sign_in_link_user
from .signup import sign_up_confirm, sign_up_link_user, user_sign_up


def home(request):
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    return redirect("workspace:queue" if request.user.is_agent else "portal:tickets")


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            link_form=SignInLinkForm(), oidc_provider_name=sign_on_provider_name(), **kwargs
        )


@require_http_methods(["GET", "POST"])
def sign_in_link_request(request):
    form = SignInLinkForm(request.POST or None)
    if request.method == "POST":
        email = form.cleaned_data["email"] if form.is_valid() else None
        if mail_form_over_limit(request, email):
            return rate_limited(request, TOO_MANY_MAILS)
        if email:
            sign_in_link_send(email=email)
            return render(request, "accounts/link_sent.html", {"email": email})
    return render(request, "accounts/link_request.html", {"form": form})


@require_http_methods(["GET", "POST"])
def sign_in_link(request, token):
    """GET shows a button; only the POST signs in, so mail scanners that follow links
    cannot use up the link. Signing in claims the link: of two uses, one gets a session."""
    try:
        sign_in_link_user(token=token)
    except ApplicationError as error:
        return render(request, "accounts/link_invalid.html", {"error": error.message}, status=400)
    if request.method == "POST":
        user = authenticate(request, sign_in_token=token)
        if user is None:  # used meanwhile (another tab, another device)
            message = "This sign-in link has already been used. Ask for a new one."
            return render(request, "accounts/link_invalid.html", {"error": message}, status=400)
        login(request, user, backend="apps.accounts.backends.SignInLinkBackend")
        messages.success(request, f"Welcome, {user.get_short_name()}.")
        return redirect("home")
    return render(request, "accounts/link_confirm.html", {"token": token})


@require_http_methods(["GET", "POST"])
def sign_up(request):
    """Self sign-up. Every accepted address gets the same answer, account or not."""
    if request.user.is_authenticated:
        return redirect("home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST":
        email = form.cleaned_data["email"] if form.is_valid() else None
        if mail_form_over_limit(request, email):
            return rate_limited(request, TOO_MANY_MAILS)
        if email:
            try:
                user_sign_up(
                    email=email,
                    full_name=form.cleaned_data["full_name"],
                    password=form.cleaned_data["password"],
                )
            except ApplicationError as error:
                form.add_service_error(error)
            else:
                return render(request, "accounts/sign_up_sent.html", {"email": email})
    status = 400 if form.errors else 200
    return render(request, "accounts/sign_up.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def sign_up_confirm_view(request, token):
    """GET shows the form; the POST (with the password chosen at sign-up) activates the
    account and signs in, so a mail scanner following the link changes nothing."""
    try:
        sign_up_link_user(token=token)
    except ApplicationError as error:
        context = {"error": error.message}
        return render(request, "accounts/sign_up_invalid.html", context, status=400)
    form = SignUpConfirmForm(request.POST or None)
    if request.method == "POST":
        # Guessing the password needs the link, which only the mailbox has; still limited.
        if over_limit(request, group="sign-up-confirm", rate=settings.RATELIMIT_MAIL_PER_CLIENT):
            return rate_limited(request)
        if form.is_valid():
            try:
                user = sign_up_confirm(token=token, password=form.cleaned_data["password"])
            except ApplicationError as error:
                if error.field is None:  # used meanwhile
                    context = {"error": error.message}
                    return render(request, "accounts/sign_up_invalid.html", context, status=400)
                form.add_error("password", error.message)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, f"Welcome, {user.get_short_name()}.")
                return redirect("home")
    status = 400 if form.errors else 200
    return render(request, "accounts/sign_up_confirm.html", {"form": form}, status=status)


class PasswordResetView(auth_views.PasswordResetView):
    """Asks for an address and (if it may) mails a reset link through the outbox."""

    form_class = PasswordResetForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password-reset-done")

    @property
    def extra_email_context(self):
        return {"site_url": settings.SITE_URL}  # links name the desk, never the Host header

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        email = form.cleaned_data["email"] if form.is_valid() else None
        if mail_form_over_limit(request, email):
            return rate_limited(request, TOO_MANY_MAILS)
        return self.form_valid(form) if email else self.form_invalid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@login_required
@require_http_methods(["GET", "POST"])
def email_settings(request):
    """Which e-mails this person gets: the choices that fit their role, grouped."""
    user = request.user
    choices = mailchoices.choices_for(user)
    wanted = [c.key for c in choices if c.key not in (user.mail_opt_outs or ())]
    # Every box unticked posts nothing at all: a POST is a POST even when it is empty.
    data = request.POST if request.method == "POST" else None
    form = MailSettingsForm(data, choices=choices, initial={"wanted": wanted})
    if form.is_bound and form.is_valid():
        try:
            mail_preferences_set(user=user, wanted=form.cleaned_data["wanted"])
        except ApplicationError as exc:
            form.add_error("wanted", exc.message)
        else:
            messages.success(request, "Your e-mail settings are saved.")
            return redirect("accounts:email-settings")
    ticked = set(data.getlist("wanted") if data is not None else wanted)
    groups: dict[str, list] = {}
    for choice in choices:
        groups.setdefault(choice.group, []).append((choice, choice.key in ticked))
    context = {"form": form, "groups": groups.items(), "nav": "accounts:email-settings"}
    return render(
        request, "accounts/email_settings.html", context, status=400 if form.errors else 200
    )
