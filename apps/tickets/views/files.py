"""Attachment downloads: only to people who may see the ticket (and the note it sits on)."""

from django.contrib.auth.decorators import login_required

from apps.core.downloads import file_response

from ..selectors import attachment_get


@login_required
def attachment(request, pk):
    attachment = attachment_get(user=request.user, pk=pk)
    response = file_response(
        file=attachment.file,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
    # Should a browser still render an uploaded file as a page, it may do nothing there.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
