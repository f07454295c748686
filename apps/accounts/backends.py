"""Authenticates a person who followed a sign-in link from their e-mail."""

from django.contrib.auth.backends import ModelBackend

from apps.core.errors import ApplicationError

from .services import sign_in_link_claim


class SignInLinkBackend(ModelBackend):
    def authenticate(self, request, sign_in_token=None, **kwargs):
        if sign_in_token is None:
            return None
        try:
            # Uses the link up: a second, simultaneous use finds it claimed and gets None.
            return sign_in_link_claim(token=sign_in_token)
        except ApplicationError:
            return None
