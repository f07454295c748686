"""JSON bodies within a size and a nesting depth, before any view sees them."""

import io

from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"


def nesting_exceeds(data, limit: int) -> bool:
    """Whether lists/objects in ``data`` nest deeper than ``limit`` (``{"a": 1}`` is 1 deep).
    Walked without recursion, so the check itself cannot overflow the stack."""
    stack = [(data, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser, refusing bodies over API_JSON_MAX_BYTES (413) and nesting deeper than
    API_JSON_MAX_DEPTH (400) before any view sees them."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_JSON_MAX_BYTES
        raw = stream.read(limit + 1)
        if len(raw) > limit:
            raise PayloadTooLarge(f"JSON bodies are limited to {limit:,} bytes.")
        max_depth = settings.API_JSON_MAX_DEPTH
        too_deep = ParseError(f"JSON nested deeper than {max_depth} levels is not accepted.")
        try:
            data = super().parse(io.BytesIO(raw), media_type, parser_context)
        except RecursionError:
            raise too_deep from None
        if nesting_exceeds(data, max_depth):
            raise too_deep
        return data
