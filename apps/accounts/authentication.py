"""API tokens that end: API_TOKEN_MAX_AGE after they were issued, and when the password changes."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed


def token_is_live(token) -> bool:
    """Whether ``token`` (of its user) may still be used."""
    changed = token.user.password_changed_at
    if changed is not None and token.created < changed:
        return False
    max_age = settings.API_TOKEN_MAX_AGE
    return not max_age or token.created >= timezone.now() - timedelta(seconds=max_age)


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if not token_is_live(token):
            token.delete()
            raise AuthenticationFailed("This token has expired. Ask for a new one.")
        return user, token
