"""Writes about people: accounts, collaborators without passwords, sign-in links."""

import secrets

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from apps.core import signing
from apps.core.errors import ApplicationError
from apps.core.outbox import outbox_enqueue

from .models import User

SIGN_IN_SALT = "switchboard.sign-in-link"


def user_get_or_create_by_email(*, email: str, full_name: str = "") -> tuple[User, bool]:
    """Find a person by e-mail, or create an account with no password (a collaborator or an
    e-mail requester), who can later sign in with a link."""
    email = User.objects.normalize_email(email.strip()).lower()
    user = User.objects.filter(email__iexact=email).first()
    if user:
        return user, False
    return User.objects.create_user(email=email, full_name=full_name.strip()), True


def _last_login_fingerprint(user: User) -> str:
    return user.last_login.isoformat() if user.last_login else ""


def sign_in_link_url(*, user: User) -> str:
    """A link that signs ``user`` in once, within SIGN_IN_LINK_MAX_AGE seconds.

    Signing in changes ``last_login``, which is part of the signed payload: a used link is dead.
    """
    token = signing.make_token(
        salt=SIGN_IN_SALT, payload={"u": user.pk, "l": _last_login_fingerprint(user)}
    )
    return settings.SITE_URL + reverse("accounts:sign-in-link", args=[token])


def sign_in_link_user(*, token: str) -> User:
    """The user a sign-in link was made for, or ApplicationError saying why it cannot be used."""
    try:
        payload = signing.read_token(
            token, salt=SIGN_IN_SALT, max_age=settings.SIGN_IN_LINK_MAX_AGE
        )
    except signing.LinkExpired:
        raise ApplicationError(
            "This sign-in link has expired. Ask for a new one.", code="expired"
        ) from None
    except signing.LinkInvalid:
        raise ApplicationError("This sign-in link is not valid.", code="invalid") from None
    user = User.objects.filter(pk=payload.get("u"), is_active=True).first()
    if user is None or payload.get("l") != _last_login_fingerprint(user):
        raise ApplicationError(
            "This sign-in link has already been used. Ask for a new one.", code="used"
        )
    return user


@transaction.atomic
def sign_in_link_send(*, email: str) -> None:
    """E-mail a sign-in link if the address belongs to an active account.

    Says nothing either way, so the form cannot be used to learn who has an account.
    """
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        return
    context = {"user": user, "url": sign_in_link_url(user=user)}
    outbox_enqueue(
        kind="sign_in_link",
        to=user.email,
        subject="Your Switchboard sign-in link",
        body=render_to_string("accounts/email/sign_in_link.txt", context),
        # Every request is a new link, so a new message (the view throttles how often).
        dedupe_key=f"sign-in:{user.pk}:{secrets.token_hex(8)}",
    )
