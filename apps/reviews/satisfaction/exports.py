"""The kudos list as CSV rows, safe to open in a spreadsheet."""

from collections.abc import Iterable, Iterator

from django.utils import timezone

from apps.core.spreadsheets import spreadsheet_safe

from .models import Kudos, KudosSource

HEADER = ["date", "ticket", "agent", "team", "source", "words"]


def kudos_rows(kudos: Iterable[Kudos]) -> Iterator[list[str]]:
    yield HEADER
    sources = dict(KudosSource.choices)
    for item in kudos:
        yield [
            timezone.localtime(item.created_at).date().isoformat(),
            item.ticket.reference,
            spreadsheet_safe(item.agent.get_full_name() if item.agent else ""),
            spreadsheet_safe(item.team.name if item.team else ""),
            sources.get(item.source, item.source),
            spreadsheet_safe(item.text),
        ]
