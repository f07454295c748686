"""What a person wrote in a reply, without the quoted earlier mail and the signature.

Mail programs quote in a handful of shapes (Gmail's "On … wrote:", Outlook's header block,
"-----Original Message-----", "> " lines); each is recognised by its first line, and the text is
cut at the earliest one that has something written above it.
"""

import re

REPLY_MARKER = "##- Please type your reply above this line -##"

_LEADING_QUOTES = re.compile(r"^(?:\s*>)+")
_ATTRIBUTION = re.compile(
    r"^\s*(?:On\s.+\swrote"  # Gmail, Apple Mail, Thunderbird
    r"|Am\s.+\sschrieb\b.*"  # German
    r"|Le\s.+\sa\s+écrit"  # French
    r"|El\s.+\sescribió"  # Spanish
    r"|Op\s.+\sschreef\b.*"  # Dutch
    r")\s?:\s*$",
    re.IGNORECASE,
)
# "Jane Doe <jane@…> wrote:" just above a quote: no date needed where the quote confirms it.
_WROTE = re.compile(r"\b(?:wrote|schrieb|a écrit|escribió|schreef)\s?:\s*$", re.IGNORECASE)
_LONGEST_ATTRIBUTION = 300  # also keeps the patterns' backtracking short on huge lines
_ATTRIBUTION_START = re.compile(r"^\s*(?:On|Am|Le|El|Op)\s", re.IGNORECASE)
_ORIGINAL_MESSAGE = re.compile(
    r"^\s*-{2,}\s*(?:Original Message|Ursprüngliche Nachricht|Originalnachricht"
    r"|Message d'origine|Mensaje original|Oorspronkelijk bericht|Messaggio originale)\s*-{2,}\s*$",
    re.IGNORECASE,
)
# Outlook's block of the quoted message's headers, in English, German, French, Spanish, Dutch.
_FROM = re.compile(r"^\s*\*?(?:From|Von|De|Van)\s?:\*?\s*\S", re.IGNORECASE)
_SENT = re.compile(
    r"^\s*\*?(?:Sent|Date|Gesendet|Datum|Envoyé|Enviado|Fecha|Verzonden)\s?:", re.IGNORECASE
)
_TO_OR_SUBJECT = re.compile(
    r"^\s*\*?(?:To|Cc|Subject|An|Betreff|À|A|Objet|Para|Asunto|Aan|Onderwerp)\s?:", re.IGNORECASE
)
_OUTLOOK_DIVIDER = re.compile(r"^\s*_{20,}\s*$")
# A forwarded message's headers are the point of a forward, not a quote to cut.
_FORWARD = re.compile(
    r"^\s*(?:-{2,}\s*(?:Forwarded message|Weitergeleitete Nachricht|Message transféré"
    r"|Mensaje reenviado|Doorgestuurd bericht)\s*-{2,}|Begin forwarded message:"
    r"|Anfang der weitergeleiteten Nachricht:|Début du message réexpédié\s?:)\s*$",
    re.IGNORECASE,
)
_MOBILE_SIGNATURE = re.compile(
    r"^\s*(?:Sent from my \S.*|Sent from (?:Outlook|Mail|Yahoo Mail|Gmail)\b.*"
    r"|Get Outlook for (?:iOS|Android)\b.*|Von meinem \S+ gesendet.*|Gesendet von meinem \S.*"
    r"|Envoyé de mon \S.*|Enviado desde mi \S.*|Verzonden (?:vanaf|met) mijn \S.*"
    r"|Verstuurd vanaf mijn \S.*)$",
    re.IGNORECASE,
)


def _unquoted(line: str) -> str:
    return _LEADING_QUOTES.sub("", line).strip()


def _next_lines(lines: list[str], index: int, count: int) -> list[str]:
    """Up to ``count`` non-blank lines after ``index`` (looking a few lines ahead only)."""
    return [line for line in lines[index + 1 : index + 3 * count] if line.strip()][:count]


def _previous_line(lines: list[str], index: int) -> str:
    return next((line for line in reversed(lines[max(0, index - 3) : index]) if line.strip()), "")


def _is_attribution(lines: list[str], index: int) -> bool:
    """ "On <date>, <person> wrote:", also when the mail program wrapped it over two lines."""
    line = lines[index]
    if len(line) > _LONGEST_ATTRIBUTION:
        return False
    if _ATTRIBUTION.match(line):
        return any(char.isdigit() for char in line)  # a date: not a sentence that ends "wrote:"
    if index + 1 >= len(lines) or not _ATTRIBUTION_START.match(line):
        return False
    following = lines[index + 1][:_LONGEST_ATTRIBUTION]
    joined = f"{line.strip()} {following.strip()}"
    return (
        not _ATTRIBUTION.match(following)
        and _ATTRIBUTION.match(joined) is not None
        and any(char.isdigit() for char in joined)
    )


def _is_header_block(lines: list[str], index: int) -> bool:
    if not _FROM.match(lines[index]) or _FORWARD.match(_previous_line(lines, index)):
        return False
    following = _next_lines(lines, index, 5)
    return any(_SENT.match(line) for line in following[:3]) and any(
        _TO_OR_SUBJECT.match(line) for line in following
    )


def _starts_quote(lines: list[str], index: int) -> bool:
    line = lines[index]
    if _unquoted(line) == REPLY_MARKER or _ORIGINAL_MESSAGE.match(line):
        return True
    if _OUTLOOK_DIVIDER.match(line):
        return any(_FROM.match(next_line) for next_line in _next_lines(lines, index, 2))
    return _is_attribution(lines, index) or _is_header_block(lines, index)


def _trailing_quote_start(lines: list[str]) -> int | None:
    """Where the block of "> " lines that ends the text starts, if it does end with one."""
    start = None
    for index in range(len(lines) - 1, -1, -1):
        line = lines[index].strip()
        if line.startswith(">"):
            start = index
        elif line:
            break
    return start


def _cut_quote(lines: list[str]) -> list[str]:
    written = False  # something above: a quote at the very top is what the sender sent
    for index, line in enumerate(lines):
        if written and _starts_quote(lines, index):
            lines = lines[:index]
            break
        written = written or bool(line.strip())
    start = _trailing_quote_start(lines)
    if start is not None and any(line.strip() for line in lines[:start]):
        lines = _without_attribution(lines[:start])
    return lines


def _without_attribution(lines: list[str]) -> list[str]:
    """Above a quote, an attribution line ("Jane wrote:") belongs to the quote."""
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    last = lines[-1] if lines else ""
    if len(last) <= _LONGEST_ATTRIBUTION and (_ATTRIBUTION.match(last) or _WROTE.search(last)):
        return lines[:-1]
    if len(lines) > 1 and _is_attribution(lines, len(lines) - 2):
        return lines[:-2]
    return lines


def _cut_signature(lines: list[str]) -> list[str]:
    for index, line in enumerate(lines):
        if line.rstrip() == "--" and any(above.strip() for above in lines[:index]):
            lines = lines[:index]
            break
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    while lines and _MOBILE_SIGNATURE.match(lines[-1]):
        lines = lines[:-1]
        while lines and not lines[-1].strip():
            lines = lines[:-1]
    return lines


def strip_reply(text: str) -> str:
    """``text`` without the quoted earlier messages and the signature; ``text`` itself when
    stripping would leave nothing."""
    stripped = "\n".join(_cut_signature(_cut_quote(text.split("\n")))).rstrip()
    return stripped if stripped.strip() else text
