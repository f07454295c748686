"""HTML mail bodies as readable plain text: paragraphs and lists as lines (at most one blank
line in a row), links with their address, images as "[image: name]", quoted mail
(``<blockquote>``) as "> " lines so reply stripping can cut it.

The stdlib parser is enough for this and never raises on bad markup; the result is plain text
(no markup survives), to be escaped wherever it is shown.
"""

import re
from collections.abc import Mapping
from html.parser import HTMLParser

from .decoding import clean_text

_DROPPED = {"script", "style", "head", "title", "template", "xml"}
_PARAGRAPHS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "dl", "pre", "hr"}
_LINES = {
    "div", "tr", "dt", "dd", "section", "article", "header", "footer", "address",
    "center", "form", "fieldset", "figure", "figcaption", "caption", "main", "nav", "aside",
}  # fmt: skip
_CELLS = {"td", "th"}
# Deeper quotes and links inside links only happen in hostile markup, where each level would
# cost another pass over the text.
_MAX_QUOTE_DEPTH = 25
_MAX_OPEN_LINKS = 10
_SHOWN_SCHEMES = ("http://", "https://", "ftp://", "mailto:")
_UNFINISHED_TAG = re.compile(r"<[a-zA-Z!/?][^>]*$")
_SCHEME = re.compile(r"^(?:https?://|mailto:)")
_SPACES = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n{3,}")


class _TextMaker(HTMLParser):
    def __init__(self, image_names: Mapping[str, str]):
        super().__init__(convert_charrefs=True)
        self.image_names = image_names
        self.buffers: list[list[str]] = [[]]  # one per open <blockquote>
        self.dropping = 0  # depth inside <script>, <style>…
        self.preformatted = 0
        self.quote_depth = 0
        self.links: list[tuple[str, list[str], int]] = []  # (href, buffer, where text starts)

    @property
    def out(self) -> list[str]:
        return self.buffers[-1]

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        if tag in _DROPPED:
            self.dropping += 1
        elif tag == "body":
            self.dropping = 0  # an unclosed <head> must not swallow the body
        elif tag == "br":
            self.out.append("\n")
        elif tag == "blockquote":
            self.quote_depth += 1
            if self.quote_depth <= _MAX_QUOTE_DEPTH:
                self.buffers.append([])
        elif tag == "img":
            self.out.append(self._image(attributes))
        elif tag == "a" and len(self.links) < _MAX_OPEN_LINKS:
            self.links.append((attributes.get("href", "").strip(), self.out, len(self.out)))
        self._break_for(tag, opening=True)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in _DROPPED:
            self.dropping -= 1

    def handle_endtag(self, tag):
        if tag in _DROPPED:
            self.dropping = max(0, self.dropping - 1)
        elif tag == "blockquote" and self.quote_depth:
            self.quote_depth -= 1
            if len(self.buffers) > 1 and self.quote_depth < _MAX_QUOTE_DEPTH:
                self._close_quote()
        elif tag == "a" and self.links:
            self._close_link(*self.links.pop())
        self._break_for(tag, opening=False)

    def handle_data(self, data):
        if self.dropping:
            return
        self.out.append(data if self.preformatted else _SPACES.sub(" ", data.replace("\n", " ")))

    def _break_for(self, tag: str, *, opening: bool):
        if tag == "pre":
            self.preformatted += 1 if opening else -1
            self.preformatted = max(0, self.preformatted)
        if tag in _PARAGRAPHS:
            self._ensure_breaks(2)
        elif tag in _LINES or tag == "li":
            self._ensure_breaks(1)
        elif tag in _CELLS and opening:
            self.out.append(" ")
        if tag == "li" and opening:
            self.out.append("- ")

    def _ensure_breaks(self, count: int):
        """End the text so far with ``count`` line breaks, counting those already there:
        nested blocks (<div><div><p>) make one break, not a stack of blank lines."""
        tail = "".join(self.out[-8:])
        if not tail.strip() and len(self.out) <= 8:
            return  # nothing written yet
        have = tail[len(tail.rstrip()) :].count("\n")
        self.out.append("\n" * max(0, count - have))

    def _image(self, attributes: dict[str, str]) -> str:
        source, alt = attributes.get("src", "").strip(), attributes.get("alt", "").strip()
        if source.lower().startswith("cid:"):
            name = self.image_names.get(source[4:].strip("<>"), "") or alt or source[4:]
            return f"[image: {name}]"
        return f"[image: {alt}]" if alt else ""

    def _close_link(self, href: str, buffer: list[str], start: int):
        if buffer is not self.out or not href.lower().startswith(_SHOWN_SCHEMES):
            return  # a link across a quote's edge is broken markup: keep its text only
        text = "".join(self.out[start:]).strip()
        shown = href[7:] if href.lower().startswith("mailto:") else href
        if _bare(shown) and _bare(shown) != _bare(text):
            self.out.append(f" ({shown})" if text else shown)

    def _close_quote(self):
        quoted = _tidy("".join(self.buffers.pop()))
        self._ensure_breaks(1)
        self.out.append("\n".join(f"> {line}".rstrip() for line in quoted.split("\n")))
        self._ensure_breaks(1)

    def close(self):
        # An unfinished tag at the very end would otherwise come out as text ("<div cla").
        self.rawdata = _UNFINISHED_TAG.sub("", self.rawdata)
        super().close()
        while len(self.buffers) > 1:
            self._close_quote()


def _bare(url: str) -> str:
    return _SCHEME.sub("", url.strip().lower()).rstrip("/")


def _tidy(text: str) -> str:
    lines = [_SPACES.sub(" ", line).strip() for line in clean_text(text).split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip("\n")


def html_to_text(html: str, image_names: Mapping[str, str] | None = None) -> str:
    """Readable text of an HTML body; ``image_names`` maps Content-IDs to attachment names,
    for ``<img src="cid:…">``."""
    maker = _TextMaker(image_names or {})
    maker.feed(html)
    maker.close()
    return _tidy("".join(maker.out))
