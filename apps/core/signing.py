"""Signed, expiring links: a sign-in link, a collaborator's task link.

A link carries a fingerprint of state that changes once it is used or revoked (e.g. the user's
last sign-in), so a used or revoked link stops working before it expires.
"""

from django.core import signing


class LinkInvalid(Exception):
    """The link was altered, belongs to something else, or was revoked."""


class LinkExpired(Exception):
    """The link was genuine but is too old."""


def make_token(*, salt: str, payload: dict) -> str:
    return signing.dumps(payload, salt=salt, compress=True)


def read_token(token: str, *, salt: str, max_age: int) -> dict:
    try:
        return signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise LinkExpired from exc
    except signing.BadSignature as exc:
        raise LinkInvalid from exc
