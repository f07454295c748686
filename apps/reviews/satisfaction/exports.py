"""The kudos list as CSV rows, safe to open in a spreadsheet."""

from collections.abc import Iterable, Iterator

from django.utils import timezone

from .models import Kudos, KudosSource

HEADER = ["date", "ticket", "agent", "team", "source", "words"]


def _safe(text) -> str:
    """Cells a spreadsheet would run as a formula (=, +, -, @) are quoted as text."""
    text = "" if text is None else str(text)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def kudos_rows(kudos: Iterable[Kudos]) -> Iterator[list[str]]:
    yield HEADER
    sources = dict(KudosSource.choices)
    for item in kudos:
        yield [
            timezone.localtime(item.created_at).date().isoformat(),
            item.ticket.reference,
            _safe(item.agent.get_full_name() if item.agent else ""),
            _safe(item.team.name if item.team else ""),
            sources.get(item.source, item.source),
            _safe(item.text),
        ]
