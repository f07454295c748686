"""Who an e-mail reply answers: the outbox message it replies to, proven by a signature.

Every message the outbox sends gets a Message-ID and a Reply-To address that name its outbox row
and carry an HMAC of it (``<sb.1234.k3j…@desk>``, ``support+m1234-k3j…@desk``). A reply quotes
the first in In-Reply-To/References and is addressed to the second, so inbound mail finds the
row — its ticket or subtask, its kind, who it went to — without trusting anything a sender could
type: a tracking number in a subject only says which ticket is meant, never that the sender got
our mail. The signature is lowercase base32, as some mail servers lowercase local parts.
"""

import base64
import hashlib
import hmac
import re
from email.utils import parseaddr

from django.conf import settings

_SALT = b"switchboard.mail.thread"
_SIG_LENGTH = 16  # 80 bits: cannot be guessed, short enough for a 64-character local part

MESSAGE_ID_RE = re.compile(r"<?sb\.(\d{1,18})\.([a-z2-7]{16})@", re.IGNORECASE)
REPLY_ADDRESS_RE = re.compile(r"\+m(\d{1,18})-([a-z2-7]{16})@", re.IGNORECASE)


def _signature(pk: int) -> str:
    key = hashlib.sha256(_SALT + settings.SECRET_KEY.encode()).digest()
    digest = hmac.new(key, str(pk).encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode().lower()[:_SIG_LENGTH]


def reply_address_base() -> tuple[str, str]:
    """(local part, domain) of the address replies go to: MAIL_REPLY_TO, else the From address."""
    address = parseaddr(settings.MAIL_REPLY_TO or settings.DEFAULT_FROM_EMAIL)[1]
    local, _, domain = address.rpartition("@")
    return local.split("+")[0] or "support", domain or "switchboard.local"


def message_id_for(pk: int, domain: str) -> str:
    return f"<sb.{pk}.{_signature(pk)}@{domain}>"


def reply_address_for(pk: int) -> str:
    local, domain = reply_address_base()
    return f"{local}+m{pk}-{_signature(pk)}@{domain}"


def outbox_ids_in(text: str) -> list[int]:
    """The outbox ids that genuine Message-IDs or reply addresses in ``text`` name, in order of
    appearance; forged or altered ones are left out."""
    found = []
    for pattern in (MESSAGE_ID_RE, REPLY_ADDRESS_RE):
        for match in pattern.finditer(text):
            pk, signature = int(match.group(1)), match.group(2).lower()
            if hmac.compare_digest(signature, _signature(pk)) and pk not in found:
                found.append(pk)
    return found
