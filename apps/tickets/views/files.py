"""Attachment downloads: only to people who may see the ticket (and the note it sits on)."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse

from ..selectors import attachment_get


@login_required
def attachment(request, pk):
    attachment = attachment_get(user=request.user, pk=pk)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
    # Never let a browser guess the type and render an uploaded file as a page.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
