"""Answers for an uploaded file, once a view has checked who may have it.

On the local disk (FILE_STORAGE=local) the file is streamed by the web process. In an object
store (FILE_STORAGE=s3) a download is a redirect to a signed URL of that one object, valid for
FILE_URL_EXPIRE_SECONDS: the web process does not carry the bytes, and a URL that leaks (a
browser history, a proxy log) stops working within the minute. Files shown inline in our pages
(an article's images) are streamed either way: the Content-Security-Policy lets pages load
images from the desk's own origin only.
"""

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header


def _signs_urls(storage) -> bool:
    """Whether the storage hands out signed, expiring URLs (django-storages' S3 backend)."""
    return bool(getattr(storage, "querystring_auth", False)) and hasattr(storage, "bucket_name")


def file_response(
    *, file: FieldFile, filename: str, content_type: str = "", as_attachment: bool = True
) -> HttpResponse:
    """The file, to someone already allowed to have it."""
    if as_attachment and _signs_urls(file.storage):
        url = file.storage.url(
            file.name,
            parameters={
                "ResponseContentDisposition": content_disposition_header(True, filename),
                **({"ResponseContentType": content_type} if content_type else {}),
            },
            expire=settings.FILE_URL_EXPIRE_SECONDS,
        )
        response = HttpResponseRedirect(url)
        # The signed URL is this person's: no shared cache may keep or replay the redirect.
        patch_cache_control(response, private=True, no_store=True)
        response["Referrer-Policy"] = "no-referrer"
        return response
    response = FileResponse(
        file.open("rb"),
        as_attachment=as_attachment,
        filename=filename,
        **({"content_type": content_type} if content_type else {}),
    )
    # Never let a browser guess the type and render an uploaded file as a page.
    response["X-Content-Type-Options"] = "nosniff"
    return response
