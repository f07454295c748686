"""Inbound e-mail, parsing stage: raw RFC 822 bytes in, a plain and safe ParsedEmail out.

The contract with the intake (which stores the raw bytes first, then calls ``parse``):

- ``parse(raw)`` returns a ``ParsedEmail`` or raises ``MalformedEmail``, whose text is the
  one-line reason shown to admins when the message is quarantined. It raises nothing else, on
  any bytes: whatever could not be read cleanly (a lying charset, broken base64, a missing
  boundary) is worked around and listed in ``ParsedEmail.notes`` instead.
- Every string in the result is decoded text with no control characters (bodies keep their
  newlines); nothing is HTML: HTML bodies are converted to text, so show it escaped as usual.
- No size limits are applied here: the caller decides what is too big.
- ``noise_reason(parsed)`` says why a message must not become a ticket or a comment
  (auto-replies, bulk mail, bounces); ``strip_reply(text)`` cuts quoted mail and signatures.

The stdlib parser reads the MIME structure with the lenient compat32 policy: policy.default's
header objects raise IndexError and the like on some malformed headers (Content-Disposition
among them, read on every part). Header values are read raw and decoded here, one header at a
time, so a broken one costs only itself; addresses still go through policy.default's parser
(with getaddresses() as the fallback), see ``headers.addresses``.
"""

import email
import logging
from email.message import Message
from email.policy import compat32

from .body import read_body
from .bounce import find_bounce
from .decoding import one_line
from .headers import addresses, header_date, header_text, message_ids, raw_values
from .noise import noise_reason
from .parsed import Bounce, MalformedEmail, ParsedAttachment, ParsedEmail
from .reply import REPLY_MARKER, strip_reply

__all__ = [
    "REPLY_MARKER",
    "Bounce",
    "MalformedEmail",
    "ParsedAttachment",
    "ParsedEmail",
    "noise_reason",
    "parse",
    "strip_reply",
]

logger = logging.getLogger(__name__)

# Headers the intake's decisions (noise, threading, bounces) need, kept decoded on one line.
KEPT_HEADERS = (
    "authentication-results",
    "auto-submitted",
    "precedence",
    "x-autoreply",
    "x-autorespond",
    "x-auto-response-suppress",
    "list-id",
    "list-unsubscribe",
    "return-path",
    "content-type",
    "x-failed-recipients",
    "x-switchboard-ticket",
)
_DELIVERY_HEADERS = ("Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To")
_MAX_HEADER_VALUE = 1000


def _kept_headers(message: Message) -> dict[str, str]:
    return {
        name: header_text(message, name, _MAX_HEADER_VALUE)
        for name in KEPT_HEADERS
        if raw_values(message, name)
    }


def _sender(message: Message) -> tuple[str, str]:
    """(display name, address) of From; no usable From means no one to answer: malformed."""
    values = raw_values(message, "From")
    if not values:
        raise MalformedEmail("the message has no From header")
    found = addresses(values)
    if not found:
        raise MalformedEmail(f"no usable address in the From header ({one_line(values[0], 80)!r})")
    return found[0]


def _address_list(message: Message, *names: str) -> tuple[str, ...]:
    values = [value for name in names for value in raw_values(message, name)]
    return tuple(address for _, address in addresses(values))


def _read(message: Message) -> ParsedEmail:
    if not message.keys():
        raise MalformedEmail("not an e-mail message: it does not start with header lines")
    from_name, from_address = _sender(message)
    body = read_body(message)
    headers = _kept_headers(message)
    notes = list(body.notes)
    date = header_date(message)
    if date is None and raw_values(message, "Date"):
        notes.append(f"the Date header could not be read ({header_text(message, 'Date', 60)!r})")
    return ParsedEmail(
        message_id=next(iter(message_ids(raw_values(message, "Message-ID"))), ""),
        in_reply_to=message_ids(raw_values(message, "In-Reply-To")),
        references=message_ids(raw_values(message, "References")),
        subject=header_text(message, "Subject", 200),
        from_address=from_address,
        from_name=from_name,
        reply_to=_address_list(message, "Reply-To"),
        to=_address_list(message, "To"),
        cc=_address_list(message, "Cc"),
        delivered_to=_address_list(message, *_DELIVERY_HEADERS),
        date=date,
        text=body.text,
        reply_text=strip_reply(body.text),
        attachments=body.attachments,
        headers=headers,
        notes=tuple(notes),
        bounce=find_bounce(message, from_address=from_address, headers=headers, text=body.text),
    )


def parse(raw: bytes) -> ParsedEmail:
    """Read one message; raises MalformedEmail (only) when it cannot be used at all."""
    raw = bytes(raw)
    if not raw.strip():
        raise MalformedEmail("the message is empty")
    try:
        return _read(email.message_from_bytes(raw, policy=compat32))
    except MalformedEmail:
        raise
    except RecursionError:
        raise MalformedEmail("its MIME parts are nested too deeply to read") from None
    except Exception as exc:
        # A bug of ours or the stdlib's must quarantine the message, not crash the intake:
        # the raw bytes are stored, and the log has the traceback to fix it.
        logger.exception("Parsing an inbound message failed")
        raise MalformedEmail(f"the parser failed on it ({type(exc).__name__})") from exc
