"""The rules for text people type, in one place: every intake (web form, API, e-mail, admin) uses
them through the services, so a subject refused on the web is refused by e-mail too.

A single-line field (a subject, a title, a name) ends up in e-mail headers, HTML attributes and
CSV exports: a CR or LF in it makes every e-mail about the ticket fail, other control characters
garble it, and NUL is refused by PostgreSQL with an error. Long text (descriptions, comments,
articles) may hold line breaks and tabs, but no NUL and nothing beyond a size cap that keeps
rendering, search and e-mail bounded.
"""

import re

from django.conf import settings
from django.core.exceptions import ValidationError

from .errors import ApplicationError

# Every C0 control character, DEL and the C1 block; plus the Unicode line and paragraph
# separators, which some mail clients and JSON readers treat as line breaks.
_NOT_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# In long text the usual whitespace controls (tab, LF, CR) are fine; the rest is not.
_NOT_LONG_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _label(field: str) -> str:
    return field.replace("_", " ").capitalize()


def single_line_problem(value: str) -> str:
    """Why ``value`` cannot be a single-line field, or "" when it can."""
    found = _NOT_SINGLE_LINE.search(value)
    if found is None:
        return ""
    if found.group() in "\r\n\u2028\u2029":
        return "must be on one line (no line breaks)"
    return "contains a control character that cannot be stored"


def single_line(
    value,
    field: str,
    max_length: int,
    *,
    required: bool = True,
    message: str = "",
    label: str = "",
) -> str:
    """``value`` stripped, refused (naming ``field``, in words ``label`` or the field's name)
    if empty (when ``required``), longer than ``max_length``, or holding NUL, CR, LF or another
    control character."""
    label = label or _label(field)
    text = "" if value is None else str(value).strip()
    if not text:
        if required:
            raise ApplicationError(message or f"{label} cannot be empty.", field=field)
        return ""
    problem = single_line_problem(text)
    if problem:
        raise ApplicationError(f"{label} {problem}.", field=field)
    if len(text) > max_length:
        raise ApplicationError(
            f"{label} is too long: at most {max_length} characters (this one has {len(text)}).",
            field=field,
        )
    return text


def long_text(
    value,
    field: str,
    max_chars: int | None = None,
    *,
    required: bool = True,
    message: str = "",
    strip: bool = True,
) -> str:
    """``value`` stripped (unless ``strip`` is false: Markdown), with Windows line ends made
    plain, refused (naming ``field``) if empty (when ``required``), longer than ``max_chars``
    (default ``settings.TEXT_MAX_CHARS``), or holding NUL or another control character besides
    tab and line breaks."""
    limit = max_chars if max_chars is not None else settings.TEXT_MAX_CHARS
    text = "" if value is None else str(value).replace("\r\n", "\n")
    text = text.strip() if strip else text
    if not text.strip():
        if required:
            raise ApplicationError(message or f"{_label(field)} cannot be empty.", field=field)
        return ""
    if len(text) > limit:
        raise ApplicationError(
            f"{_label(field)} is too long: at most {limit:,} characters (this one has "
            f"{len(text):,}). Attach long logs as a file instead.",
            field=field,
        )
    if _NOT_LONG_TEXT.search(text):
        raise ApplicationError(
            f"{_label(field)} contains a control character that cannot be stored.", field=field
        )
    return text


def squash_line(value, max_length: int) -> str:
    """``value`` made one clean line without refusing it: control characters dropped, runs of
    whitespace made one space, cut to ``max_length``. For text people did not type as a line
    (a search query to log, a summary taken from a description, an e-mail subject)."""
    text = _NOT_SINGLE_LINE.sub(" ", "" if value is None else str(value))
    return " ".join(text.split())[:max_length]


def validate_single_line(value) -> None:
    """The same rule as a Django validator, for form fields (the admin's among them)."""
    problem = single_line_problem(str(value or ""))
    if problem:
        raise ValidationError(f"This field {problem}.", code="single_line")
