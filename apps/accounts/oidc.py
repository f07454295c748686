"""Single sign-on with an OpenID Connect provider (mozilla-django-oidc), off unless configured.

The library runs the authorization-code flow (state, nonce, PKCE); this module decides who
that makes the person: an account matched by its verified e-mail address, or a new requester.
Claims never grant more than that: staff, superuser and team seats are set in the desk only.
"""

import hashlib
import logging
from dataclasses import dataclass

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import redirect
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from .models import User

logger = logging.getLogger(__name__)

DISCOVERY_CACHE_SECONDS = 3600
# Clocks of the desk and the provider may differ by this much (exp, iat, nbf).
CLOCK_LEEWAY_SECONDS = 30


def sign_on_provider_name() -> str | None:
    """The name on the sign-in page's button, or None when single sign-on is off."""
    return settings.OIDC_PROVIDER_NAME if settings.OIDC_ENABLED else None


@dataclass(frozen=True)
class Endpoints:
    issuer: str
    authorization: str
    token: str
    userinfo: str
    jwks: str


def _discovery() -> dict:
    url = settings.OIDC_OP_DISCOVERY
    if not url:
        return {}
    key = "oidc-discovery:" + hashlib.sha256(url.encode()).hexdigest()
    document = cache.get(key)
    if document is None:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
        cache.set(key, document, DISCOVERY_CACHE_SECONDS)  # a failure is never cached
    return document


def oidc_endpoints() -> Endpoints:
    """The provider's endpoints: each explicit setting, else the discovery document's."""
    found = _discovery()
    return Endpoints(
        issuer=settings.OIDC_OP_ISSUER or found.get("issuer", ""),
        authorization=settings.OIDC_OP_AUTHORIZATION_ENDPOINT
        or found.get("authorization_endpoint", ""),
        token=settings.OIDC_OP_TOKEN_ENDPOINT or found.get("token_endpoint", ""),
        userinfo=settings.OIDC_OP_USER_ENDPOINT or found.get("userinfo_endpoint", ""),
        jwks=settings.OIDC_OP_JWKS_ENDPOINT or found.get("jwks_uri", ""),
    )


def _is_verified(claims: dict) -> bool:
    # Some providers send the flag as the string "true" in userinfo.
    return claims.get("email_verified") in (True, "true", "True")


def oidc_user_create(*, email: str, full_name: str = "") -> User:
    """A requester for a verified address the desk did not know: no password, no staff flag."""
    try:
        with transaction.atomic():
            return User.objects.create_user(email, full_name=full_name[:150])
    except IntegrityError:  # the same person's other tab got there first
        return User.objects.get(email__iexact=email)


class OIDCBackend(OIDCAuthenticationBackend):
    """Authenticates the person a provider's callback names; None for every other sign-in."""

    def authenticate(self, request, **kwargs):
        # Only the callback view passes a nonce: a password sign-in whose URL happens to carry
        # ?code=…&state=… must not start a token exchange.
        if not settings.OIDC_ENABLED or request is None or "nonce" not in kwargs:
            return None
        endpoints = oidc_endpoints()
        self.issuer = endpoints.issuer
        self.OIDC_OP_TOKEN_ENDPOINT = endpoints.token
        self.OIDC_OP_USER_ENDPOINT = endpoints.userinfo
        self.OIDC_OP_JWKS_ENDPOINT = endpoints.jwks
        user = super().authenticate(request, **kwargs)
        return user if user is not None and self.user_can_authenticate(user) else None

    def _verify_jws(self, payload, key):
        """The signature, and (unlike the library, which skips the audience) that the token
        is for this desk, from this provider, and not expired."""
        try:
            if jwt.get_unverified_header(payload).get("alg") != self.OIDC_RP_SIGN_ALGO:
                raise SuspiciousOperation("The id_token is not signed with OIDC_RP_SIGN_ALGO.")
            return jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=self.issuer or None,
                leeway=CLOCK_LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "aud", "sub"]},
            )
        except jwt.PyJWTError as error:
            raise SuspiciousOperation(f"id_token refused: {error}") from error

    def get_userinfo(self, access_token, id_token, payload):
        """The id_token's claims, completed by the userinfo endpoint's about the same person."""
        info = {}
        if self.OIDC_OP_USER_ENDPOINT:
            info = super().get_userinfo(access_token, id_token, payload)
            if info.get("sub", payload["sub"]) != payload["sub"]:
                raise SuspiciousOperation("userinfo describes someone else than the id_token.")
        return {**payload, **info}

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        email = str(claims.get("email") or "").strip()
        # An unverified address proves nothing: anyone could claim a colleague's.
        if not email or not _is_verified(claims):
            raise SuspiciousOperation("The provider did not vouch for an e-mail address.")
        users = list(User.objects.filter(email__iexact=email)[:2])
        if len(users) > 1:
            raise SuspiciousOperation("Several accounts have this e-mail address.")
        if users:
            return users[0]
        if not settings.OIDC_CREATE_USERS:
            logger.info("Single sign-on of an unknown address refused (OIDC_CREATE_USERS off)")
            return None
        return oidc_user_create(email=email, full_name=str(claims.get("name") or ""))

    def get_user(self, user_id):
        # The library's get_user skips the is_active check: a deactivated person's session
        # would go on working.
        return ModelBackend.get_user(self, user_id)


def _refused(request):
    name = settings.OIDC_PROVIDER_NAME
    messages.error(
        request, f"Signing in with {name} did not work. Try again, or sign in another way."
    )
    return redirect("accounts:login")


class OIDCStartView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider, with a fresh state, nonce and PKCE challenge."""

    def get(self, request):
        if not settings.OIDC_ENABLED:
            raise Http404
        try:
            self.OIDC_OP_AUTH_ENDPOINT = oidc_endpoints().authorization
        except (requests.RequestException, ValueError) as error:
            logger.warning("OIDC discovery failed: %s", error)
            return _refused(request)
        return super().get(request)


class OIDCCallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back. Any doubt (unknown state, a token that does
    not verify, a provider that does not answer) ends on the sign-in page, signed out."""

    def get(self, request):
        if not settings.OIDC_ENABLED:
            raise Http404
        try:
            return super().get(request)
        except (SuspiciousOperation, requests.RequestException, jwt.PyJWTError) as error:
            logger.warning("OIDC sign-in refused: %s", error)
            return self.login_failure()

    def login_failure(self):
        return _refused(self.request)
