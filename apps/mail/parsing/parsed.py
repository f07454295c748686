"""What parsing hands on: plain, immutable values that carry nothing of the MIME tree."""

from dataclasses import dataclass
from datetime import datetime

from .decoding import one_line


class MalformedEmail(ValueError):
    """Not a message we can read; ``str(exc)`` is the one-line reason shown to admins."""

    def __init__(self, reason: str):
        super().__init__(one_line(reason, 300))


@dataclass(frozen=True)
class ParsedAttachment:
    filename: str  # safe on any disk; "attachment-N.ext" when the part named none
    content_type: str  # lowercased "type/subtype"
    data: bytes
    content_id: str = ""  # without <>, for inline images
    inline: bool = False  # disposition inline, or an image the HTML shows by Content-ID


@dataclass(frozen=True)
class Bounce:
    recipients: tuple[str, ...]  # lowercased addresses that failed for good
    diagnostic: str  # short reason, e.g. "550 5.1.1 User unknown"


@dataclass(frozen=True)
class ParsedEmail:
    message_id: str  # "<local@domain>", "" if missing
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]  # in header order
    subject: str  # one line, at most 200 characters
    from_address: str  # lowercased; never empty
    from_name: str
    reply_to: tuple[str, ...]
    to: tuple[str, ...]
    cc: tuple[str, ...]
    delivered_to: tuple[str, ...]  # Delivered-To, X-Original-To, Envelope-To, X-Envelope-To
    date: datetime | None  # aware
    text: str  # the whole body as text
    reply_text: str  # text without quoted mail and signature; text itself when nothing is left
    attachments: tuple[ParsedAttachment, ...]
    headers: dict[str, str]  # the few headers noise and threading decisions need, decoded
    notes: tuple[str, ...]  # what parsing had to work around, for admins
    bounce: Bounce | None
