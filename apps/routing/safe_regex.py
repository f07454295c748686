"""Regular expressions in rules, bounded so a hostile pattern or ticket cannot hang a worker.

Three fences: patterns are checked on save (length, syntax, and no quantified group that
itself contains an unbounded quantifier, the classic ``(a+)+`` blow-up); the text searched is
capped; and every search runs with a timeout (the ``regex`` package supports one), so a
pattern that slips past the check fails that one rule instead of the whole evaluation.
"""

import regex

from apps.core.errors import ApplicationError

MAX_PATTERN_LENGTH = 300
MAX_TEXT_LENGTH = 10_000
SEARCH_TIMEOUT_SECONDS = 0.02

_UNBOUNDED = "+*{"


class RegexTimeout(Exception):
    """A search ran out of time: the rule is skipped and the decision records why."""


def _has_nested_quantifier(pattern: str) -> bool:
    """True when a group containing ``+``/``*``/``{n,}`` is itself repeated."""
    stack: list[bool] = []  # per open group: does it contain an unbounded quantifier?
    i, in_class = 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            stack.append(False)
        elif char == ")" and stack:
            inner = stack.pop()
            following = pattern[i + 1 : i + 2]
            if inner and following and following in _UNBOUNDED:
                return True
            if inner and stack:
                stack[-1] = True
        elif char in _UNBOUNDED and stack:
            stack[-1] = True
        i += 1
    return False


def regex_compile(pattern: str, *, field: str = "value") -> regex.Pattern:
    """Compile a rule's pattern (case-insensitive) or say in plain words why it is refused."""
    if not isinstance(pattern, str) or not pattern:
        raise ApplicationError("A regular expression is required.", field=field)
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise ApplicationError(
            f"The regular expression is longer than {MAX_PATTERN_LENGTH} characters.", field=field
        )
    try:
        compiled = regex.compile(pattern, regex.IGNORECASE | regex.VERSION0)
    except regex.error as exc:
        raise ApplicationError(f"Bad regular expression “{pattern}”: {exc}.", field=field) from None
    if _has_nested_quantifier(pattern):
        raise ApplicationError(
            f"The regular expression “{pattern}” repeats a group that itself repeats "
            "(like (a+)+): it could take forever on some texts. Simplify it.",
            field=field,
        )
    return compiled


def regex_search(compiled: regex.Pattern, text: str) -> bool:
    try:
        return compiled.search(text[:MAX_TEXT_LENGTH], timeout=SEARCH_TIMEOUT_SECONDS) is not None
    except TimeoutError:
        raise RegexTimeout(
            f"regular expression “{compiled.pattern}” took longer than "
            f"{SEARCH_TIMEOUT_SECONDS * 1000:.0f} ms and was stopped"
        ) from None
