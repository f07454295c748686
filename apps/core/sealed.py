"""Secrets the desk must read back (a mailbox's IMAP password), kept sealed in the database.

Fernet (AES-CBC with an HMAC) under a key derived from CREDENTIALS_KEY, else SECRET_KEY: a
database dump or the admin's pages never show the password. Rotating the key makes the sealed
values unreadable; ``unseal`` then raises ``Unreadable`` and the admin enters them again.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


class Unreadable(Exception):
    """Sealed under another key (it was rotated), or altered."""


def _fernet() -> Fernet:
    secret = (getattr(settings, "CREDENTIALS_KEY", "") or settings.SECRET_KEY).encode()
    key = hashlib.sha256(b"switchboard.sealed:" + secret).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode() if text else ""


def unseal(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise Unreadable("the stored secret cannot be read with this desk's key") from exc
