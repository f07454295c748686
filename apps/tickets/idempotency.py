"""``Idempotency-Key`` for API creates and replies: a client may retry a POST safely.

The first request with a key runs and its response is stored, in the same transaction as what it
created. A retry with the same key and the same request gets that response back (with
``Idempotent-Replayed: true``) and creates nothing; the same key with another request is refused
(422). Two retries racing: the second insert of the (user, key) row waits on the first's
transaction, then fails the unique constraint and replays what the first stored. Errors (4xx,
5xx) are not stored, so a client may fix its request and retry with the same key.
"""

import functools
import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from .models import ApiIdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_LENGTH = 255

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "Any unique string of up to 255 characters (a UUID) to make this POST safe to retry. "
        "A retry with the same key and body within 24 hours answers the first response again, "
        "with the header `Idempotent-Replayed: true`, and creates nothing; the same key with "
        "another body answers 422."
    ),
)


class KeyReused(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"


def _cutoff():
    return timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)


def _fingerprint(request) -> str:
    data = request.data
    if hasattr(data, "lists"):  # form data: keep repeated fields
        data = dict(data.lists())
    body = json.dumps(data, sort_keys=True, default=str)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


def _replay(record: ApiIdempotencyKey, fingerprint: str) -> Response:
    if record.fingerprint != fingerprint:
        raise KeyReused(
            f"This {HEADER} was already used for another request ({record.method} "
            f"{record.path} with a different body). Send a new key for a new request."
        )
    return Response(
        record.response_body, status=record.response_status, headers={REPLAYED_HEADER: "true"}
    )


def _find(user, key: str) -> ApiIdempotencyKey | None:
    return ApiIdempotencyKey.objects.filter(user=user, key=key, created_at__gte=_cutoff()).first()


def respond_once(request, key: str, run) -> Response:
    """The stored response for ``key``, or ``run()``'s, stored with what it created."""
    key = key.strip()
    if not key or len(key) > MAX_LENGTH:
        raise ValidationError({HEADER: [f"Send between 1 and {MAX_LENGTH} characters."]})
    fingerprint = _fingerprint(request)
    found = _find(request.user, key)
    if found is not None:
        return _replay(found, fingerprint)
    claimed = False
    try:
        with transaction.atomic():
            ApiIdempotencyKey.objects.filter(
                user=request.user, key=key, created_at__lt=_cutoff()
            ).delete()  # expired but not purged yet: the key is free again
            record = ApiIdempotencyKey.objects.create(
                user=request.user,
                key=key,
                method=request.method,
                path=request.path[:500],
                fingerprint=fingerprint,
                response_status=0,
            )
            claimed = True
            response = run()
            if response.status_code >= 400:
                transaction.set_rollback(True)  # nothing was created: the key stays free
                return response
            record.response_status = response.status_code
            record.response_body = json.loads(JSONRenderer().render(response.data) or b"null")
            record.save(update_fields=["response_status", "response_body"])
    except IntegrityError:
        if claimed:
            raise
        found = _find(request.user, key)  # a concurrent request with this key committed first
        if found is None:
            raise
        return _replay(found, fingerprint)
    return response


def idempotent(method):
    """Decorate an API view's POST handler: honour ``Idempotency-Key`` when it is sent."""

    @functools.wraps(method)
    def handle(view, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return method(view, request, *args, **kwargs)
        return respond_once(request, key, lambda: method(view, request, *args, **kwargs))

    return handle


def idempotency_keys_purge(*, batch: int = 5000) -> int:
    """Delete expired keys, a batch at a time; returns how many went."""
    deleted = 0
    while True:
        ids = list(
            ApiIdempotencyKey.objects.filter(created_at__lt=_cutoff()).values_list("pk", flat=True)[
                :batch
            ]
        )
        if not ids:
            return deleted
        deleted += ApiIdempotencyKey.objects.filter(pk__in=ids).delete()[0]
