"""Header values as plain text: addresses, message ids, dates and unstructured text.

Values are read raw (``Message.raw_items``) and decoded here, so a broken header costs that
header only, never the message.
"""

import re
from datetime import UTC, datetime
from email.message import Message
from email.policy import default as default_policy
from email.utils import getaddresses, parsedate_to_datetime

from .decoding import decode_words, one_line, repair_surrogates

# policy.default's address parser is the better one, but quadratic: a 140 kB To header takes
# seconds. Longer values go to the simple getaddresses() instead.
_RICH_PARSE_LIMIT = 8000
_MESSAGE_ID = re.compile(r"<([^<>]*)>")
_DOMAIN = re.compile(r"^(?:[\w-]+\.)*[\w-]+$|^\[[0-9A-Fa-f:.]+\]$")


def raw_values(message: Message, name: str) -> list[str]:
    """Every value of header ``name``, unfolded, undecodable bytes decoded as best we can."""
    wanted = name.lower()
    values = []
    for key, value in message.raw_items():
        if key.lower() == wanted and isinstance(value, str):
            values.append(repair_surrogates(value).replace("\r", "").replace("\n", ""))
    return values


def header_text(message: Message, name: str, limit: int | None = None) -> str:
    """The first value of ``name``, encoded words decoded, on one line; "" when absent."""
    values = raw_values(message, name)
    return one_line(decode_words(values[0]), limit) if values else ""


def usable_address(address: str) -> str:
    """``address`` lowercased when it looks like local@domain, else ""."""
    address = address.strip().strip("<>").strip().lower()
    local, at, domain = address.rpartition("@")
    if not (at and local and _DOMAIN.match(domain)) or len(address) > 320:
        return ""
    if any(char.isspace() or char in "<>" or not char.isprintable() for char in local):
        return ""
    return address


def _rich_addresses(value: str) -> list[tuple[str, str]]:
    header = default_policy.header_factory("to", value)
    return [
        (repair_surrogates(address.display_name), repair_surrogates(address.addr_spec))
        for address in header.addresses
    ]


def _simple_addresses(value: str) -> list[tuple[str, str]]:
    return [(decode_words(name), address) for name, address in getaddresses([value])]


def addresses(values: list[str]) -> list[tuple[str, str]]:
    """(display name, lowercased address) for each usable address in these header values,
    without repeats, in order."""
    found: dict[str, str] = {}
    for value in values:
        try:
            pairs = _rich_addresses(value) if len(value) <= _RICH_PARSE_LIMIT else []
        except Exception:  # the stdlib parser has IndexError/AttributeError bugs on junk
            pairs = []
        if not pairs:
            try:
                pairs = _simple_addresses(value)
            except RecursionError:  # "((((…" nests comments deeper than the stack
                pairs = []
        for name, address in pairs:
            address = usable_address(address)
            if address and address not in found:
                found[address] = one_line(name, 200)
    return [(name, address) for address, name in found.items()]


def message_ids(values: list[str]) -> tuple[str, ...]:
    """Normalised "<local@domain>" ids in header order, without repeats. Bare ids (no angle
    brackets, as some programs write In-Reply-To) are accepted when they contain an @."""
    ids: dict[str, None] = {}
    for value in values:
        found = _MESSAGE_ID.findall(value) or [word for word in value.split() if "@" in word]
        for ident in found:
            ident = "".join(one_line(ident).split()).strip("<>")
            if ident and len(ident) <= 998:
                ids[f"<{ident}>"] = None
    return tuple(ids)


def header_date(message: Message) -> datetime | None:
    """The Date header as an aware datetime (UTC when it names no zone), or None."""
    values = raw_values(message, "Date")
    if not values:
        return None
    try:
        moment = parsedate_to_datetime(one_line(values[0]))
    except (ValueError, TypeError, IndexError, OverflowError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
