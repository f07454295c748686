"""Markdown to safe HTML (python-markdown renders, nh3 sanitises), and the plain text search reads."""

import html
import re

import markdown
import nh3

from apps.core.html import sanitize

MARKDOWN_EXTENSIONS = ["extra", "sane_lists"]


def render_markdown(source: str) -> str:
    """Article Markdown as HTML with no scripts, event handlers or javascript: links.

    Raw HTML in the Markdown is allowed through python-markdown and then sanitised, so authors
    can still use <kbd> or a table, but nothing that runs."""
    return sanitize(markdown.markdown(source or "", extensions=MARKDOWN_EXTENSIONS))


def html_to_text(rendered: str) -> str:
    text = nh3.clean(rendered, tags=set())
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


# Search backends wrap matches in these control characters; only after escaping everything
# else are they turned into <mark>, so an article's text can never inject markup.
MARK_START, MARK_END = "\x02", "\x03"


def highlight(snippet: str) -> str:
    escaped = html.escape(snippet or "", quote=False)
    return escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
