"""Reading numbers people type into URLs, filters and forms.

``str.isdigit()`` says yes to "²" and "¹", which ``int()`` then refuses: a 500 where a 400 or
"not found" belongs. Ids are read here instead, as ASCII digits within a database integer.
"""

import re

_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")
_MAX_ID = 2**63 - 1


def as_id(value) -> int | None:
    """The value as a positive database id, or None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value <= _MAX_ID else None
    text = str(value).strip() if value is not None else ""
    if not _ASCII_DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if 0 < number <= _MAX_ID else None


def is_id(value) -> bool:
    return as_id(value) is not None
