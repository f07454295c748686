"""Markdown to safe HTML (python-markdown renders, nh3 sanitises), and the plain text search reads.

python-markdown is quadratic or worse on many inputs a person can type: 5,000 "[" take seconds,
100,000 characters of "a\\n=\\n" (setext headings) minutes, deep definition lists overflow the
stack. No pre-check catches them all, so beyond a small, bracket-poor text (rendered here) the
Markdown is rendered by a child process that is killed after MARKDOWN_RENDER_SECONDS: a crafted
body is refused as too complex instead of holding a web or Celery worker for minutes.
"""

import html
import json
import re
import subprocess
import sys

import markdown
import nh3
from django.conf import settings

from apps.core.errors import ApplicationError
from apps.core.html import sanitize

MARKDOWN_EXTENSIONS = ["extra", "sane_lists"]
# Rendered in-process: at most this long, with at most this many "[" (the worst known inputs at
# this size take milliseconds).
INLINE_MAX_CHARS = 4_000
INLINE_MAX_BRACKETS = 64
_CHILD = (
    "import json, sys, markdown\n"
    "source = sys.stdin.buffer.read().decode('utf-8')\n"
    "out = markdown.markdown(source, extensions=json.loads(sys.argv[1]))\n"
    "sys.stdout.buffer.write(out.encode('utf-8'))\n"
)


class MarkdownTooComplex(ApplicationError):
    def __init__(self, message: str):
        super().__init__(message, field="body", code="too_complex")


def render_markdown(source: str) -> str:
    """Article Markdown as HTML with no scripts, event handlers or javascript: links, in bounded
    time; raises MarkdownTooComplex (an ApplicationError on "body") when it cannot be.

    Raw HTML in the Markdown is allowed through python-markdown and then sanitised, so authors
    can still use <kbd> or a table, but nothing that runs."""
    source = source or ""
    limit = settings.ARTICLE_MAX_CHARS
    if len(source) > limit:
        raise MarkdownTooComplex(f"The text is too long: at most {limit:,} characters.")
    if len(source) <= INLINE_MAX_CHARS and source.count("[") <= INLINE_MAX_BRACKETS:
        try:
            rendered = markdown.markdown(source, extensions=MARKDOWN_EXTENSIONS)
        except RecursionError:
            raise _too_complex() from None
    else:
        rendered = _render_in_child(source)
    return sanitize(rendered)


def _too_complex() -> MarkdownTooComplex:
    return MarkdownTooComplex(
        "This Markdown is too complex to show: simplify its deepest nesting (lists, quotes, "
        "brackets) or split it into shorter articles."
    )


def _render_in_child(source: str) -> str:
    try:
        # Reviewed (B603): our own interpreter and code; the text goes in on stdin.
        done = subprocess.run(  # nosec B603
            [sys.executable, "-I", "-c", _CHILD, json.dumps(MARKDOWN_EXTENSIONS)],
            input=source.encode("utf-8"),
            capture_output=True,
            timeout=settings.MARKDOWN_RENDER_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:  # subprocess.run has killed the child
        raise _too_complex() from None
    if done.returncode != 0:  # RecursionError, MemoryError: the input, not the server
        raise _too_complex()
    return done.stdout.decode("utf-8")


def html_to_text(rendered: str) -> str:
    text = nh3.clean(rendered, tags=set())
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


# Search backends wrap matches in these control characters; only after escaping everything
# else are they turned into <mark>, so an article's text can never inject markup.
MARK_START, MARK_END = "\x02", "\x03"


def highlight(snippet: str) -> str:
    escaped = html.escape(snippet or "", quote=False)
    return escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
