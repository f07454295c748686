"""Self sign-up for people whose e-mail domain an organisation lists: an inactive account, and
a signed, expiring link that activates it. Nobody learns here whether an address has an account.
"""

import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from apps.core import signing
from apps.core.errors import ApplicationError
from apps.core.outbox import outbox_enqueue

from .models import Organisation, User

SIGN_UP_SALT = "switchboard.sign-up"


def organisation_for_email(*, email: str) -> Organisation | None:
    """The organisation that lists the address's domain (exactly: not its subdomains)."""
    domain = email.strip().rsplit("@", 1)[-1].lower()
    if not domain:
        return None
    # A few organisations with a few domains each: parsed here rather than kept in a table.
    for organisation in Organisation.objects.exclude(email_domains="").only(
        "pk", "name", "email_domains"
    ):
        if domain in organisation.domain_list:
            return organisation
    return None


def _fingerprint(user: User) -> str:
    # The password hash changes if the account's password does (a reset by the real owner), and
    # the account leaves the pending state once confirmed: either kills an unused link.
    return user.password[-16:]


def sign_up_link_url(*, user: User) -> str:
    token = signing.make_token(salt=SIGN_UP_SALT, payload={"u": user.pk, "p": _fingerprint(user)})
    return settings.SITE_URL + reverse("accounts:sign-up-confirm", args=[token])


def _pending(user: User) -> bool:
    """Signed up, not yet confirmed: inactive, never signed in, with a password of its own."""
    return not user.is_active and user.last_login is None and user.has_usable_password()


@transaction.atomic
def user_sign_up(*, email: str, full_name: str, password: str) -> None:
    """Create an inactive account in the organisation the address's domain belongs to, and
    e-mail it a confirmation link. An address that already has an account gets a note saying
    so instead (one still waiting for confirmation takes the new password and gets a new
    link): the caller sees the same answer either way."""
    email = User.objects.normalize_email(email.strip()).lower()
    organisation = organisation_for_email(email=email)
    if organisation is None:
        raise ApplicationError(
            "Sign-up is open to the e-mail addresses of organisations we support, and this "
            "address's domain is not one of them. Use your work address, or ask your IT team.",
            field="email",
        )
    candidate = User(email=email, full_name=full_name.strip(), organisation=organisation)
    try:
        validate_password(password, user=candidate)
    except ValidationError as error:
        raise ApplicationError(" ".join(error.messages), field="password") from None

    existing = User.objects.select_for_update().filter(email__iexact=email).first()
    if existing is not None:
        if _pending(existing):
            # Signing up again replaces the unconfirmed password, which kills the earlier
            # link: a stranger who signed up first with this address is locked out again.
            existing.full_name = candidate.full_name
            existing.set_password(password)
            existing.save()
            _send_confirmation(existing)
        else:
            _send_already_registered(existing)
        return
    candidate.is_active = False
    candidate.set_password(password)
    candidate.save()
    _send_confirmation(candidate)


def _send_confirmation(user: User) -> None:
    context = {
        "user": user,
        "url": sign_up_link_url(user=user),
        "hours": settings.SIGN_UP_LINK_MAX_AGE // 3600,
    }
    outbox_enqueue(
        kind="sign_up_confirm",
        to=user.email,
        subject="Confirm your Switchboard account",
        body=render_to_string("accounts/email/sign_up_confirm.txt", context),
        dedupe_key=f"sign-up:{user.pk}:{secrets.token_hex(8)}",
    )


def _send_already_registered(user: User) -> None:
    context = {
        "user": user,
        "sign_in_url": settings.SITE_URL + reverse("accounts:login"),
        "reset_url": settings.SITE_URL + reverse("accounts:password-reset"),
    }
    outbox_enqueue(
        kind="sign_up_existing",
        to=user.email,
        subject="You already have a Switchboard account",
        body=render_to_string("accounts/email/sign_up_existing.txt", context),
        dedupe_key=f"sign-up-existing:{user.pk}:{secrets.token_hex(8)}",
    )


def sign_up_link_user(*, token: str) -> User:
    """The pending account a confirmation link was made for, or ApplicationError saying why
    the link cannot be used. Only reads."""
    try:
        payload = signing.read_token(
            token, salt=SIGN_UP_SALT, max_age=settings.SIGN_UP_LINK_MAX_AGE
        )
    except signing.LinkExpired:
        raise ApplicationError(
            "This confirmation link has expired. Sign up again to get a new one.", code="expired"
        ) from None
    except signing.LinkInvalid:
        raise ApplicationError("This confirmation link is not valid.", code="invalid") from None
    user = User.objects.filter(pk=payload.get("u")).first()
    if user is None or not _pending(user) or payload.get("p") != _fingerprint(user):
        raise ApplicationError(
            "This confirmation link has already been used, or is no longer valid. Sign in, "
            "or sign up again.",
            code="used",
        )
    return user


@transaction.atomic
def sign_up_confirm(*, token: str, password: str) -> User:
    """Activate the account of a confirmation link, once.

    The password chosen at sign-up must be given again: whoever signed up with somebody else's
    address cannot use the account even if its owner follows the link, and the owner, who does
    not know that password, is not handed an account someone else holds the key to."""
    user = sign_up_link_user(token=token)
    if not user.check_password(password):
        raise ApplicationError(
            "That is not the password you chose when you signed up.", field="password"
        )
    # A conditional update: of two simultaneous uses, one activates the account.
    claimed = User.objects.filter(
        pk=user.pk, is_active=False, last_login=None, password=user.password
    ).update(is_active=True, last_login=timezone.now())
    if not claimed:
        raise ApplicationError(
            "This confirmation link has already been used. Sign in.", code="used"
        )
    user.refresh_from_db()
    return user
