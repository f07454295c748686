"""CSV people open in a spreadsheet: cells that cannot run as formulas, and streamed downloads."""

import csv
from collections.abc import Iterable

from django.http import StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text) -> str:
    """A cell a spreadsheet would run as a formula (=, +, -, @) is quoted as text."""
    text = "" if text is None else str(text)
    return f"'{text}" if text[:1] in FORMULA_STARTS else text


class _Echo:
    """A file-like object whose write returns the line, for csv.writer in a stream."""

    def write(self, value):
        return value


def csv_download(rows: Iterable[list], *, filename: str) -> StreamingHttpResponse:
    """Rows written as they are read: a long export never sits whole in memory."""
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
