"""Delivery status notifications (RFC 3464), and the older bounces that only say
X-Failed-Recipients: who could not be reached, for good, and the mail server's reason."""

import re
from email.message import Message

from .body import content_type
from .decoding import decode_bytes, one_line
from .headers import addresses, usable_address
from .parsed import Bounce

_STATUS_TYPES = {"message/delivery-status", "message/global-delivery-status"}
_SYSTEM_SENDERS = {"mailer-daemon", "postmaster"}
# "550 5.1.1 …" anywhere, else a line that starts with a 5xx reply code.
_ENHANCED_REPLY = re.compile(r"\b5\d\d[ -]5\.\d{1,3}\.\d{1,3}\b[^\n]*")
_PLAIN_REPLY = re.compile(r"^\s*(5\d\d\b[^\n]*)", re.MULTILINE)
_FIELD = re.compile(r"^([A-Za-z][A-Za-z0-9-]*)\s*:(.*)$")


def _status_parts(part: Message, depth: int = 0):
    """The delivery-status parts of this message, not of messages forwarded inside it."""
    ctype = content_type(part)
    if ctype in _STATUS_TYPES:
        yield part
    elif part.is_multipart() and not ctype.startswith("message/") and depth < 10:
        for child in part.get_payload():
            if isinstance(child, Message):
                yield from _status_parts(child, depth + 1)


def _fields_of_text(text: str) -> list[dict[str, str]]:
    """Header-like blocks separated by blank lines, for a status part the parser left as text."""
    blocks: list[dict[str, str]] = [{}]
    name = ""
    for line in text.replace("\r", "").split("\n"):
        if not line.strip():
            blocks.append({})
        elif line[0] in " \t" and name:
            blocks[-1][name] += " " + line.strip()
        elif match := _FIELD.match(line):
            name = match[1].lower()
            blocks[-1].setdefault(name, match[2].strip())
    return [block for block in blocks if block]


def _status_blocks(part: Message) -> list[dict[str, str]]:
    payload = part.get_payload()
    if isinstance(payload, list):
        blocks = []
        for block in payload:
            if isinstance(block, Message):
                fields: dict[str, str] = {}
                for name, value in block.raw_items():
                    fields.setdefault(name.lower(), one_line(str(value)))
                blocks.append(fields)
        return blocks
    data = part.get_payload(decode=True)
    return _fields_of_text(decode_bytes(data, "utf-8", detect=False)[0]) if data else []


def _first_token(value: str) -> str:
    return value.split()[0].lower() if value.split() else ""


def _diagnostic(fields: dict[str, str]) -> str:
    code = fields.get("diagnostic-code", "")
    reason = code.split(";", 1)[-1] if ";" in code else code  # "smtp; 550 …"
    return one_line(reason or fields.get("status", ""), 200)


def _reason_in_text(text: str) -> str:
    match = _ENHANCED_REPLY.search(text) or _PLAIN_REPLY.search(text)
    return one_line(match[0], 200) if match else ""


def _from_status_blocks(blocks: list[dict[str, str]]) -> tuple[list[str], str]:
    """(addresses that failed for good, the reason) from the per-recipient blocks; the reason
    of a failure comes before that of a mere delay."""
    failed: dict[str, None] = {}
    failed_reasons, other_reasons = [], []
    for fields in blocks:
        if "final-recipient" not in fields and "original-recipient" not in fields:
            continue  # the per-message block
        action = _first_token(fields.get("action", ""))
        if action == "failed" or _first_token(fields.get("status", "")).startswith("5"):
            for name in ("original-recipient", "final-recipient"):
                if address := usable_address(fields.get(name, "").split(";")[-1]):
                    failed[address] = None
            failed_reasons.append(_diagnostic(fields))
        else:
            other_reasons.append(_diagnostic(fields))
    return list(failed), next((reason for reason in failed_reasons + other_reasons if reason), "")


def _failed_recipients(headers: dict[str, str]) -> list[str]:
    return [address for _, address in addresses([headers.get("x-failed-recipients", "")])]


def _is_report(message: Message) -> bool:
    if content_type(message) != "multipart/report":
        return False
    try:
        report_type = message.get_param("report-type") or ""
    except Exception:  # a malformed Content-Type: then this is no report we can read
        return False
    return isinstance(report_type, str) and report_type.strip().lower() == "delivery-status"


def find_bounce(message: Message, *, from_address: str, headers: dict[str, str], text: str):
    """The Bounce this message reports, or None when it is no delivery status notification."""
    status_parts = list(_status_parts(message))
    if status_parts or _is_report(message):
        blocks = [fields for part in status_parts for fields in _status_blocks(part)]
        recipients, reason = _from_status_blocks(blocks)
        return Bounce(
            recipients=tuple(recipients or _failed_recipients(headers)),
            diagnostic=reason or _reason_in_text(text),
        )
    sender = from_address.rpartition("@")[0]
    if sender in _SYSTEM_SENDERS and "x-failed-recipients" in headers:
        return Bounce(
            recipients=tuple(_failed_recipients(headers)), diagnostic=_reason_in_text(text)
        )
    return None
