"""The signed, expiring link that opens a collaborator's task with no account or password.

The payload names the subtask, the person it was sent to, and the subtask's ``link_version``:
revoking or reassigning bumps the version, so every earlier link dies before it expires.
"""

from django.conf import settings
from django.core import signing as django_signing
from django.urls import reverse

from apps.accounts.models import User
from apps.core import signing
from apps.core.errors import ApplicationError

from .models import Subtask

SALT = "switchboard.subtask-link"


def link_token(*, subtask: Subtask, user: User) -> str:
    return signing.make_token(
        salt=SALT, payload={"s": subtask.pk, "u": user.pk, "v": subtask.link_version}
    )


def link_url(*, subtask: Subtask, user: User) -> str:
    token = link_token(subtask=subtask, user=user)
    return settings.SITE_URL + reverse("subtasks:link", args=[token])


def _payload(token: str, *, max_age: int | None) -> dict:
    payload = signing.read_token(token, salt=SALT, max_age=max_age)
    if not isinstance(payload, dict) or not {"s", "u", "v"} <= payload.keys():
        raise signing.LinkInvalid
    return payload


def link_read(*, token: str) -> tuple[Subtask, User]:
    """The subtask and person a link opens, or ApplicationError (code expired/invalid)."""
    try:
        payload = _payload(token, max_age=settings.SUBTASK_LINK_MAX_AGE)
    except signing.LinkExpired:
        raise ApplicationError("This link has expired.", code="expired") from None
    except signing.LinkInvalid:
        raise ApplicationError("This link is not valid.", code="invalid") from None
    return link_target(payload)


def link_expires_at(token: str) -> int:
    """When a (verified) link stops working, as a Unix time: its signing time plus the maximum
    age. A link session started from it ends then too, however recently it was opened."""
    timestamp = token.rsplit(":", 2)[-2]
    return django_signing.b62_decode(timestamp) + settings.SUBTASK_LINK_MAX_AGE


def link_target(payload: dict) -> tuple[Subtask, User]:
    """Check a (possibly already verified) payload against the current state of the subtask."""
    subtask = (
        Subtask.objects.select_related("assignee_user", "assignee_team")
        .filter(pk=payload["s"], link_version=payload["v"])
        .first()
    )
    user = User.objects.filter(pk=payload["u"], is_active=True).first()
    if subtask is None or user is None or not is_assignee(user=user, subtask=subtask):
        raise ApplicationError("This link is no longer valid.", code="revoked")
    return subtask, user


def expired_link_owner(*, token: str) -> tuple[Subtask, User] | None:
    """For an expired but genuine link: whom a fresh link may be sent to (never someone else)."""
    try:
        payload = _payload(token, max_age=None)
        return link_target(payload)
    except (signing.LinkInvalid, ApplicationError):
        return None


def is_assignee(*, user: User, subtask: Subtask) -> bool:
    if subtask.assignee_user_id:
        return subtask.assignee_user_id == user.pk
    return bool(subtask.assignee_team_id and subtask.assignee_team_id in user.team_ids)
