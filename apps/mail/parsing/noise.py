"""Mail that must not become a ticket or a comment: auto-replies, bulk mail, bounces.

Answering an auto-reply with our own "we received your request" starts a mail loop; the rules
follow RFC 3834 and what Exchange, Gmail and mailing lists actually send.
"""

import re

from .parsed import ParsedEmail

_BULK_PRECEDENCE = {"bulk": "bulk mail", "junk": "bulk mail", "list": "mailing list"}
_SYSTEM_SENDERS = {"mailer-daemon", "postmaster"}
_AUTO_REPLY_PHRASES = (
    r"out of (?:the )?office(?: autoreply| reply)?",
    r"out-of-office",
    r"automatic reply",
    r"auto(?:matic)?[- ]?(?:reply|response)",
    r"abwesenheitsnotiz",
    r"automatische antwort",
    r"r[ée]ponse automatique",
    r"absence du bureau",
    r"respuesta autom[áa]tica",
    r"fuera de la oficina",
    r"risposta automatica",
    r"fuori sede",
    r"automatisch antwoord",
    r"afwezig",
    r"autosvar",
    r"automatisk svar",
    r"resposta autom[áa]tica",
    r"automaattinen vastaus",
    r"odpowied[źz] automatyczna",
)
_PHRASES = "|".join(_AUTO_REPLY_PHRASES)
# A prefix followed by a colon (or nothing): "Out of office settings are broken" is a request.
_AUTO_REPLY_SUBJECT = re.compile(rf"^\s*(?:\[?(?:{_PHRASES})\]?\s*(?::|$)|auto\s*:)", re.IGNORECASE)
_AUTO_REPLY_ANYWHERE = re.compile(rf"\b(?:{_PHRASES})\b", re.IGNORECASE)
_READ_RECEIPT = re.compile(r"report-type\s*=\s*\"?disposition-notification", re.IGNORECASE)


def _first_word(value: str) -> str:
    return value.split(";")[0].strip().lower()


def _header_reason(headers: dict[str, str], subject: str) -> str:
    if "auto-submitted" in headers and _first_word(headers["auto-submitted"]) != "no":
        value = _first_word(headers["auto-submitted"]) or "(empty)"
        kind = "auto-reply" if value == "auto-replied" else "automatic mail"
        return f"{kind} (Auto-Submitted: {value})"
    for name, shown in (("x-autoreply", "X-Autoreply"), ("x-autorespond", "X-Autorespond")):
        if name in headers:
            return f"auto-reply ({shown})"
    precedence = _first_word(headers.get("precedence", ""))
    if precedence in _BULK_PRECEDENCE:
        return f"{_BULK_PRECEDENCE[precedence]} (Precedence: {precedence})"
    if "list-id" in headers:
        return "mailing list (List-Id)"
    if _READ_RECEIPT.search(headers.get("content-type", "")):
        return "read receipt (disposition notification)"
    suppress = headers.get("x-auto-response-suppress", "").lower()
    if re.search(r"\b(?:oof|all)\b", suppress) and _looks_like_auto_reply(subject):
        return "out-of-office reply"
    return ""


def _looks_like_auto_reply(subject: str) -> bool:
    return bool(_AUTO_REPLY_SUBJECT.match(subject) or _AUTO_REPLY_ANYWHERE.search(subject))


def noise_reason(parsed: ParsedEmail) -> str:
    """Why this message must not become a ticket or a comment, or "": one short phrase such as
    "auto-reply (Auto-Submitted: auto-replied)" or "delivery status notification".

    List-Unsubscribe alone is not noise: some mail programs and CRMs add it to mail written
    by a person.
    """
    if parsed.bounce is not None:
        return "delivery status notification"
    if reason := _header_reason(parsed.headers, parsed.subject):
        return reason
    local_part = parsed.from_address.rpartition("@")[0]
    if local_part in _SYSTEM_SENDERS:
        return f"mail from a mail system ({local_part})"
    if _AUTO_REPLY_SUBJECT.match(parsed.subject):
        return "out-of-office reply"
    return ""
