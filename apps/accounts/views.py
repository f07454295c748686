"""Signing in (password or e-mailed link) and the landing page that sends people where they work."""

from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from apps.core.errors import ApplicationError

from .forms import SignInForm, SignInLinkForm
from .services import sign_in_link_send, sign_in_link_user


def home(request):
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    return redirect("workspace:queue" if request.user.is_agent else "portal:tickets")


class SignInView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return super().get_context_data(link_form=SignInLinkForm(), **kwargs)


@require_http_methods(["GET", "POST"])
def sign_in_link_request(request):
    form = SignInLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        sign_in_link_send(email=form.cleaned_data["email"])
        return render(request, "accounts/link_sent.html", {"email": form.cleaned_data["email"]})
    return render(request, "accounts/link_request.html", {"form": form})


@require_http_methods(["GET", "POST"])
def sign_in_link(request, token):
    """GET shows a button; only the POST signs in, so mail scanners that follow links
    cannot use up the link."""
    try:
        sign_in_link_user(token=token)
    except ApplicationError as error:
        return render(request, "accounts/link_invalid.html", {"error": error.message}, status=400)
    if request.method == "POST":
        user = authenticate(request, sign_in_token=token)
        if user is not None:
            login(request, user, backend="apps.accounts.backends.SignInLinkBackend")
            messages.success(request, f"Welcome, {user.get_short_name()}.")
            return redirect("home")
    return render(request, "accounts/link_confirm.html", {"token": token})
