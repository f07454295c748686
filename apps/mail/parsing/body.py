"""A message's MIME tree read as one readable text, plus its attachments.

multipart/alternative shows its plain-text part (the HTML one when that is empty or missing);
other multiparts show every body part in order; forwarded messages (message/rfc822) are shown
as a block under their headers, and their attachments are collected too. Parts are labelled
as IMAP numbers them ("2.1") in notes, so an admin can find them in the raw message.
"""

import base64
import mimetypes
import re
import unicodedata
from dataclasses import dataclass, replace
from email import errors
from email.message import Message

from .decoding import clean_text, decode_bytes, decode_words, one_line
from .headers import header_text, raw_values
from .html_text import html_to_text
from .parsed import ParsedAttachment

FORWARD_LINE = "---------- Forwarded message ----------"
_MAX_FORWARD_DEPTH = 5
_MAX_NESTING = 40  # multiparts inside multiparts: real mail stays under 10
_BODY_TYPES = {"text/plain", "text/html"}
_FORWARD_TYPES = {"message/rfc822", "message/global"}
_KNOWN_ENCODINGS = {"", "7bit", "8bit", "binary", "base64", "quoted-printable"}
_KNOWN_ENCODINGS |= {"x-uuencode", "uuencode", "x-uue", "uue"}
_CONTENT_TYPE = re.compile(r"^[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+$")
_CID_REFERENCE = re.compile(rb"cid:([^\"'\s>)]+)", re.IGNORECASE)
_MAX_FILENAME = 200
_UNREADABLE = object()
# The stdlib's built-in table only: the system's /etc/mime.types differs between machines.
_MIME_TYPES = mimetypes.MimeTypes()
_STRUCTURE_NOTES = {
    errors.CloseBoundaryNotFoundDefect: "a multipart section has no closing boundary; read to the end",
    errors.StartBoundaryNotFoundDefect: "a multipart boundary was never found; its body read as text",
    errors.NoBoundaryInMultipartDefect: "a multipart section names no boundary; read as text",
    errors.MissingHeaderBodySeparatorDefect: "a part's headers had no blank line after them",
}


@dataclass(frozen=True)
class Body:
    text: str
    attachments: tuple[ParsedAttachment, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class _Html:
    """An HTML body, converted once every attachment (and so every cid: image) is known."""

    source: str


def _quietly(read, fallback):
    """The stdlib's header-derived accessors (filename, charset, disposition) raise on a few
    malformed headers: a bad header must cost that one value, not the message."""
    try:
        return read()
    except Exception:
        return fallback


def content_type(part: Message) -> str:
    ctype = _quietly(part.get_content_type, "text/plain")
    return ctype if _CONTENT_TYPE.match(ctype) else "application/octet-stream"


def _disposition(part: Message) -> str:
    return _quietly(part.get_content_disposition, None) or ""


def _content_id(part: Message) -> str:
    values = raw_values(part, "Content-ID")
    return "".join(one_line(values[0]).split()).strip("<>")[:250] if values else ""


def _payload(part: Message) -> tuple[bytes, str]:
    """The part's bytes with its transfer encoding undone, and a note when that was broken."""
    defects_before = len(part.defects)
    data = _quietly(lambda: part.get_payload(decode=True), None)
    if not isinstance(data, bytes):
        raw = part.get_payload()
        data = raw.encode("ascii", "surrogateescape") if isinstance(raw, str) else b""
        return data, "could not be decoded; kept as sent"
    encoding = one_line(
        str(_quietly(lambda: part.get("content-transfer-encoding", ""), ""))
    ).lower()
    defects = [type(defect) for defect in part.defects[defects_before:]]
    if errors.InvalidBase64LengthDefect in defects:
        # The stdlib then hands back the base64 text itself as the "decoded" bytes.
        return _lenient_base64(part.get_payload()), "has broken base64; kept what could be decoded"
    if any("Base64" in defect.__name__ for defect in defects):
        return data, "has broken base64; kept what could be decoded"
    if encoding not in _KNOWN_ENCODINGS:
        return data, f"has unknown transfer encoding {encoding[:40]!r}; kept as sent"
    return data, ""


def _param(part: Message, name: str) -> str:
    value = _quietly(lambda: part.get_param(name), None)
    return value.strip().lower() if isinstance(value, str) else ""


def unflow(text: str, *, delete_space: bool = False) -> str:
    """format=flowed text (RFC 3676, Apple Mail and Thunderbird) as paragraphs: a line that
    ends in a space goes on with the next line of the same quote depth."""
    lines: list[tuple[int, str, bool]] = []  # (quote depth, text, continues)
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        content = line[depth:].removeprefix(" ")  # undo space-stuffing
        continues = content.endswith(" ") and content != "-- "
        if continues and delete_space:
            content = content[:-1]
        if lines and lines[-1][2] and lines[-1][0] == depth:
            lines[-1] = (depth, lines[-1][1] + content, continues)
        else:
            lines.append((depth, content, continues))
    return "\n".join(
        f"{'>' * depth} {content}" if depth else content for depth, content, _ in lines
    )


def _lenient_base64(text) -> bytes:
    """What can be decoded of base64 cut short: the whole 4-character groups."""
    if not isinstance(text, str):
        return b""
    usable = re.sub(rb"[^A-Za-z0-9+/]", b"", text.encode("ascii", "replace"))
    return base64.b64decode(usable[: len(usable) - len(usable) % 4])


def safe_filename(name: str, ctype: str, index: int) -> str:
    """A name that is safe on any disk: no path, no control or direction-changing characters,
    at most 200 characters (extension kept), "attachment-N.ext" when there is none."""
    name = "".join(char for char in one_line(name) if unicodedata.category(char)[0] != "C")
    name = name.replace("/", "_").replace("\\", "_").strip(" .")
    if not name:
        extension = _MIME_TYPES.guess_extension(ctype) or (
            ".txt" if ctype.startswith("text/") else ""
        )
        return f"attachment-{index}{extension}"
    if len(name) <= _MAX_FILENAME:
        return name
    stem, dot, extension = name.rpartition(".")
    if dot and 0 < len(extension) <= 16:
        return f"{stem[: _MAX_FILENAME - len(extension) - 1].rstrip()}.{extension}"
    return name[:_MAX_FILENAME]


def _label(path: str) -> str:
    return path or "1"


def _child_path(path: str, index: int) -> str:
    return f"{path}.{index}" if path else str(index)


def _children(part: Message) -> list[Message]:
    payload = part.get_payload()
    return (
        [child for child in payload if isinstance(child, Message)]
        if isinstance(payload, list)
        else []
    )


class _Reader:
    def __init__(self):
        self.notes: dict[str, None] = {}  # ordered, without repeats
        self.attachments: list[ParsedAttachment] = []
        self.html_cids: set[str] = set()
        self.texts: dict[int, str] = {}
        self.plain_shown = self.html_shown = False

    def note(self, path: str, text: str):
        self.notes[f"part {_label(path)} {text}"] = None

    def render(self, part: Message, path: str, depth: int) -> list[str | _Html]:
        """The blocks of text this part shows, in order; attachments are collected aside."""
        self._note_structure(part)
        ctype = content_type(part)
        if not part.is_multipart():
            return self._leaf(part, ctype, path)
        if ctype in _FORWARD_TYPES:
            return self._forwarded(part, path, depth)
        if ctype.startswith("message/"):
            return []  # delivery reports and the like: read by the bounce reader, not shown
        if path.count(".") >= _MAX_NESTING:
            self.note(path, "is nested too deeply; not read")
            return []
        children = list(enumerate(_children(part), 1))
        if ctype == "multipart/alternative":
            chosen = self._preferred(children, path)
        elif ctype == "multipart/related":
            chosen = children[0][1] if children else None  # the root; the rest are its images
        else:
            chosen = None
        blocks = []
        for index, child in children:
            if chosen is None or child is chosen:
                blocks += self.render(child, _child_path(path, index), depth)
            else:
                self.collect(child, _child_path(path, index), depth)
        return blocks

    def collect(self, part: Message, path: str, depth: int):
        """Only the attachments of a part that is not shown (an unused alternative)."""
        ctype = content_type(part)
        if not part.is_multipart():
            if self._is_attachment(part, ctype):
                self._attach(part, ctype, path)
            elif ctype == "text/html":
                self._remember_cids(part)
        elif path.count(".") < _MAX_NESTING and depth < _MAX_FORWARD_DEPTH:
            inner_depth = depth + (ctype in _FORWARD_TYPES)
            for index, child in enumerate(_children(part), 1):
                self.collect(child, _child_path(path, index), inner_depth)

    def _leaf(self, part: Message, ctype: str, path: str) -> list[str | _Html]:
        if self._is_attachment(part, ctype):
            self._attach(part, ctype, path)
            return []
        if ctype == "text/html":
            self._remember_cids(part)
            self.html_shown = True
            return [_Html(self.text_of(part, path))]
        # text/plain, or a multipart whose boundary never came: its text is all there is.
        self.plain_shown = True
        return [self.text_of(part, path)]

    def _is_attachment(self, part: Message, ctype: str) -> bool:
        if _disposition(part) == "attachment" or _quietly(part.get_filename, None):
            return True
        return ctype not in _BODY_TYPES and not ctype.startswith("multipart/")

    def _preferred(self, children: list[tuple[int, Message]], path: str) -> Message | None:
        """The alternative to show: plain text unless it is empty, else the (last) HTML one."""
        plain = next(
            ((index, child) for index, child in children if content_type(child) == "text/plain"),
            None,
        )
        if plain and self.text_of(plain[1], _child_path(path, plain[0])).strip():
            return plain[1]
        with_html = [child for _, child in children if _has_html(child)]
        if with_html and plain:
            self.note(path, "has an empty plain-text alternative; used the HTML one")
        return with_html[-1] if with_html else (plain[1] if plain else None)

    def text_of(self, part: Message, path: str) -> str:
        """The part's text in its (declared, or guessed) charset; decoded once."""
        if id(part) not in self.texts:
            data, note = _payload(part)
            if note:
                self.note(path, note)
            text, note = decode_bytes(data, _quietly(part.get_content_charset, None))
            if note:
                self.note(path, note)
            text = clean_text(text)
            if _param(part, "format") == "flowed":
                text = unflow(text, delete_space=_param(part, "delsp") == "yes")
            lines = text.split("\n")
            self.texts[id(part)] = "\n".join(line.rstrip() for line in lines).strip("\n")
        return self.texts[id(part)]

    def _attach(self, part: Message, ctype: str, path: str):
        data, note = _payload(part)
        if note:
            self.note(path, note)
        raw_name = _quietly(part.get_filename, _UNREADABLE)
        if raw_name is _UNREADABLE:
            self.note(path, "has a filename that could not be read")
        index = len(self.attachments) + 1
        self.attachments.append(
            ParsedAttachment(
                filename=safe_filename(decode_words(str(raw_name or "")), ctype, index),
                content_type=ctype,
                data=data,
                content_id=_content_id(part),
                inline=_disposition(part) == "inline",
            )
        )

    def _remember_cids(self, part: Message):
        data, _ = _payload(part)
        self.html_cids.update(
            cid.decode("ascii", "replace").strip("<>") for cid in _CID_REFERENCE.findall(data)
        )

    def _forwarded(self, part: Message, path: str, depth: int) -> list[str | _Html]:
        inner = next(iter(_children(part)), None)
        if inner is None:
            return []
        header = [FORWARD_LINE]
        for name in ("From", "Date", "Subject", "To"):
            if value := header_text(inner, name, 500):
                header.append(f"{name}: {value}")
        if depth >= _MAX_FORWARD_DEPTH:
            self.note(path, "is a forwarded message nested too deeply; not shown")
            return ["\n".join([*header, "", "[not shown: forwarded messages nested too deeply]"])]
        return ["\n".join(header), *self.render(inner, path, depth + 1)]

    def _note_structure(self, part: Message):
        for defect in part.defects:
            if note := _STRUCTURE_NOTES.get(type(defect)):
                self.notes[note] = None

    def finished_attachments(self) -> tuple[ParsedAttachment, ...]:
        """Attachments with ``inline`` also set for images the HTML shows by Content-ID."""
        return tuple(
            replace(attachment, inline=True)
            if attachment.content_id in self.html_cids
            and attachment.content_type.startswith("image/")
            else attachment
            for attachment in self.attachments
        )


def _has_html(part: Message) -> bool:
    if not part.is_multipart():
        return content_type(part) == "text/html"
    return any(_has_html(child) for child in _children(part)[:20])


def read_body(message: Message) -> Body:
    reader = _Reader()
    blocks = reader.render(message, "", 0)
    attachments = reader.finished_attachments()
    image_names = {item.content_id: item.filename for item in attachments if item.content_id}
    texts = [html_to_text(b.source, image_names) if isinstance(b, _Html) else b for b in blocks]
    if reader.html_shown:
        reader.notes[
            "HTML-only message converted to text"
            if not reader.plain_shown
            else "HTML parts converted to text"
        ] = None
    return Body(
        text="\n\n".join(text for text in texts if text.strip()),
        attachments=attachments,
        notes=tuple(reader.notes),
    )
