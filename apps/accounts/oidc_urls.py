"""Single sign-on routes (apps.accounts.oidc): both answer 404 while it is not configured."""

from django.urls import path

from . import oidc

app_name = "oidc"

urlpatterns = [
    path("authenticate/", oidc.OIDCStartView.as_view(), name="authenticate"),
    path("callback/", oidc.OIDCCallbackView.as_view(), name="callback"),
]
