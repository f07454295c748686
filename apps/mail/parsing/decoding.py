"""Bytes and header words to clean text: charsets that lie, encoded words that are broken.

Every function here returns text and never raises on bad input; what had to be guessed is
returned as a short note for the caller to pass on.
"""

import base64
import codecs
import re

import charset_normalizer

# Control characters (all but tab and newline), lone surrogates, byte-order marks and the
# non-characters U+FFFE/U+FFFF: never useful in mail text; some break databases or terminals.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufeff\ufffe\uffff]")
_WHITESPACE = re.compile(r"\s+")
# =?charset?encoding?text?= — also at the very end without its "?=" (a header cut short).
_ENCODED_WORD = re.compile(
    r"=\?(?P<charset>[^?\s]+)\?(?P<encoding>[qQbB])\?(?P<text>[^?\s]*)(?:\?=|$)"
)

# Labels mail programs use that Python does not know by that name.
_ALIASES = {"iso-8859-8-i": "iso-8859-8", "windows-874": "cp874", "x-sjis": "cp932", "x-gbk": "gbk"}
# Labels that mail programs use for a larger charset than the one they name (as browsers read
# them too): a message "in gb2312" often holds GBK characters, "iso-8859-1" cp1252 quotes.
_SUPERSETS = {
    "iso8859-1": "cp1252",
    "iso8859-15": "cp1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "euc_kr": "cp949",
    "shift_jis": "cp932",
    "iso2022_jp": "iso2022_jp_ext",
}
# Under these labels, bytes that are valid UTF-8 are almost certainly UTF-8 mislabelled by the
# sender (the single-byte ones decode any bytes, so decoding would never fail and show mojibake).
_ANY_BYTES_DECODE = {"ascii", "iso8859-1", "iso8859-15", "cp1252"}
_DETECTION_SAMPLE = 64 * 1024


def clean_text(text: str) -> str:
    """Multi-line text with Unix newlines and no control characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)


def one_line(text: str, limit: int | None = None) -> str:
    """Whitespace (newlines included) collapsed to single spaces, controls dropped, cut."""
    text = _WHITESPACE.sub(" ", _CONTROL.sub(" ", text)).strip()
    return text[:limit].rstrip() if limit else text


def codec_name(label: str | None) -> str | None:
    """Python's codec for a charset label, or None when there is no text codec of that name."""
    if not label:
        return None
    try:
        label = label.strip().strip("\"'").split("*")[0].lower()
        info = codecs.lookup(_ALIASES.get(label, label))
    except (LookupError, ValueError, TypeError):
        return None
    # bytes-to-bytes codecs (base64, zlib, rot13…) are not charsets.
    return info.name if getattr(info, "_is_text_encoding", True) else None


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeError, LookupError, ValueError):
        return None


def _detected_codec(data: bytes) -> str | None:
    """charset_normalizer's guess, preferring windows-1252 among equally plausible guesses:
    on short Western text the detector cannot tell cp1252 from cp1250 and would pick either."""
    try:
        matches = list(charset_normalizer.from_bytes(data[:_DETECTION_SAMPLE]))
    except Exception:  # a third-party detector must not take the intake down with it
        return None
    if not matches:
        return None
    calmest = min(match.chaos for match in matches)
    for match in matches:
        if match.chaos <= calmest + 0.01 and "cp1252" in match.could_be_from_charset:
            return "cp1252"
    return codec_name(matches[0].encoding)


def _shown(codec: str) -> str:
    return {"cp1252": "windows-1252"}.get(codec, codec)


def decode_bytes(data: bytes, label: str | None, *, detect: bool = True) -> tuple[str, str]:
    """Text of ``data`` declared as charset ``label``, and a note when the label was not used.

    Order: the declared charset (UTF-8 first when a single-byte label hides valid UTF-8), then
    UTF-8, then detection (``detect``: pointless on a few header bytes), then windows-1252 with
    replacement characters, which always succeeds.
    """
    declared = codec_name(label)
    codec = _SUPERSETS.get(declared, declared) if declared else "ascii"
    if codec in _ANY_BYTES_DECODE and not data.isascii() and _strict(data, "utf-8") is not None:
        return data.decode("utf-8"), _guess_note(label, declared, "utf-8")
    text = _strict(data, codec)
    if text is not None:
        return text, ""
    for guess in ("utf-8", _detected_codec(data) if detect else None):
        text = _strict(data, guess) if guess else None
        if text is not None:
            return text, _guess_note(label, declared, guess)
    return data.decode("cp1252", errors="replace"), _guess_note(label, declared, "cp1252")


def _guess_note(label: str | None, declared: str | None, codec: str) -> str:
    if not label:
        return f"had no charset; read as {_shown(codec)}"
    known = "" if declared else " (unknown)"
    return f"declared charset {one_line(label, 40)!r}{known}; read as {_shown(codec)}"


def repair_surrogates(value: str) -> str:
    """Header text from the parser keeps undecodable bytes as surrogates: decode them for real
    (UTF-8, else windows-1252) so no surrogate reaches the database."""
    if value.isascii() or not re.search("[\ud800-\udfff]", value):
        return value
    try:
        data = value.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return value.encode("utf-8", "replace").decode("utf-8")
    return decode_bytes(data, "utf-8", detect=False)[0]


def _word_bytes(encoding: str, text: str) -> bytes | None:
    """The bytes of one encoded word's text, or None when its base64 is broken."""
    if encoding in "qQ":
        data = text.replace("_", " ").encode("ascii", "replace")
        return re.sub(rb"=([0-9A-Fa-f]{2})", lambda hex_: bytes([int(hex_[1], 16)]), data)
    data = text.encode("ascii", "replace").rstrip(b"=")
    if not re.fullmatch(rb"[A-Za-z0-9+/]*", data) or len(data) % 4 == 1:
        return None
    return base64.b64decode(data + b"=" * (-len(data) % 4))


def decode_words(value: str) -> str:
    """RFC 2047 encoded words decoded, leniently: words inside other words, a last word that
    lost its "?=", unknown or lying charsets (read as bodies are). A word whose base64 is
    broken stays as it was written; it never spoils the words around it."""
    value = repair_surrogates(value)
    pieces: list[tuple[str, bytes] | str] = []  # (charset, bytes) for words, str for text
    position = 0
    for word in _ENCODED_WORD.finditer(value):
        between = value[position : word.start()]
        data = _word_bytes(word["encoding"], word["text"])
        position = word.end()
        joins_words = data is not None and pieces and not isinstance(pieces[-1], str)
        if between and not (between.isspace() and joins_words):
            pieces.append(between)  # the space between two encoded words is not text
        if data is None:
            pieces.append(word[0])
        elif joins_words and not between.strip() and pieces[-1][0] == word["charset"].lower():
            # Mail programs split one character's bytes over two words: join, then decode.
            pieces[-1] = (pieces[-1][0], pieces[-1][1] + data)
        else:
            pieces.append((word["charset"].lower(), data))
    pieces.append(value[position:])
    return "".join(
        piece if isinstance(piece, str) else decode_bytes(piece[1], piece[0], detect=False)[0]
        for piece in pieces
    )
