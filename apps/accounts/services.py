"""Writes about people: accounts, collaborators without passwords, sign-in links, passwords
and API tokens."""

import secrets
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from apps.core import mailchoices, signing
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


def email_sign_in_allowed(user: User) -> bool:
    """Whether ``user`` may sign in by e-mail (a sign-in link, a password reset): admins and
    superusers only where EMAIL_SIGN_IN_FOR_STAFF / _SUPERUSERS allow it."""
    if user.is_superuser and not settings.EMAIL_SIGN_IN_FOR_SUPERUSERS:
        return False
    if user.is_staff and not settings.EMAIL_SIGN_IN_FOR_STAFF:
        return False
    return user.is_active


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
    """The user a sign-in link was made for, or ApplicationError saying why it cannot be used.
    Only reads: ``sign_in_link_claim`` is what uses the link up."""
    return _link_user(_link_payload(token))


def _link_payload(token: str) -> dict:
    try:
        return signing.read_token(token, salt=SIGN_IN_SALT, max_age=settings.SIGN_IN_LINK_MAX_AGE)
    except signing.LinkExpired:
        raise ApplicationError(
            "This sign-in link has expired. Ask for a new one.", code="expired"
        ) from None
    except signing.LinkInvalid:
        raise ApplicationError("This sign-in link is not valid.", code="invalid") from None


def _link_user(payload: dict) -> User:
    user = User.objects.filter(pk=payload.get("u"), is_active=True).first()
    if user is None or payload.get("l") != _last_login_fingerprint(user):
        raise ApplicationError(
            "This sign-in link has already been used. Ask for a new one.", code="used"
        )
    if not email_sign_in_allowed(user):
        raise ApplicationError(
            "Sign-in links are turned off for this account. Sign in with your password.",
            code="not_allowed",
        )
    return user


def sign_in_link_claim(*, token: str) -> User:
    """Use a sign-in link up and return its user, or ApplicationError. Exactly one of any
    number of simultaneous uses wins: the claim is a conditional update of ``last_login``
    from the value the link was made with (the row lock makes the others wait, then find it
    changed)."""
    payload = _link_payload(token)
    user = _link_user(payload)
    fingerprint = payload.get("l") or None
    claimed = (
        User.objects.filter(pk=user.pk, is_active=True)
        .filter(
            last_login=datetime.fromisoformat(fingerprint)
            if fingerprint
            else None  # never signed in
        )
        .update(last_login=timezone.now())
    )
    if not claimed:
        raise ApplicationError(
            "This sign-in link has already been used. Ask for a new one.", code="used"
        )
    return user


@transaction.atomic
def sign_in_link_send(*, email: str) -> None:
    """E-mail a sign-in link if the address belongs to an active account that may use one.

    Says nothing either way, so the form cannot be used to learn who has an account.
    """
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None or not email_sign_in_allowed(user):
        return
    context = {"user": user, "url": sign_in_link_url(user=user)}
    outbox_enqueue(
        kind="sign_in_link",
        to=user.email,
        subject="Your Switchboard sign-in link",
        body=render_to_string("accounts/email/sign_in_link.txt", context),
        # Every request is a new link, so a new message (the view limits how often).
        dedupe_key=f"sign-in:{user.pk}:{secrets.token_hex(8)}",
    )


# --- passwords and API tokens


def password_reset_mail(*, user: User, subject: str, body: str, token: str) -> None:
    """Queue the password-reset e-mail Django's reset form rendered, through the outbox."""
    outbox_enqueue(
        kind="password_reset",
        to=user.email,
        subject=subject,
        body=body,
        dedupe_key=f"password-reset:{user.pk}:{token}",
    )


@transaction.atomic
def user_set_password(*, user: User, password: str) -> User:
    """A new password: ends every API token of the user (sessions end by Django's session
    hash) and clears failed sign-ins counted against the address."""
    from axes.utils import reset as axes_reset

    user.set_password(password)
    user.save()
    Token.objects.filter(user=user).delete()
    axes_reset(username=user.email.lower())
    return user


@transaction.atomic
def api_token_issue(*, user: User) -> Token:
    """The user's API token: the live one, or a new one if it expired or never was."""
    from .authentication import token_is_live

    token = Token.objects.select_for_update().filter(user=user).first()
    if token is not None and token_is_live(token):
        return token
    if token is not None:
        token.delete()
    return Token.objects.create(user=user)


def mail_preferences_set(*, user: User, wanted: Iterable[str]) -> list[str]:
    """Keep the e-mails this person wants among those offered to them; turn the rest off.
    Choices not offered to them now (an agent's, for someone who left the team) stay as they
    were. Returns the keys turned off."""
    offered = {choice.key for choice in mailchoices.choices_for(user)}
    wanted = set(wanted)
    unknown = sorted(wanted - offered)
    if unknown:
        raise ApplicationError(
            f"“{unknown[0]}” is not an e-mail you can choose here.", field="wanted"
        )
    known = {choice.key for choice in mailchoices.all_choices()}
    kept = {key for key in user.mail_opt_outs or () if key in known and key not in offered}
    opt_outs = sorted(kept | (offered - wanted))
    User.objects.filter(pk=user.pk).update(mail_opt_outs=opt_outs)
    user.mail_opt_outs = opt_outs
    return opt_outs
