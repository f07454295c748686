"""The tickets REST API (/api/v1/): serializers validate and delegate to services."""

from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """Turn a service's ApplicationError into a 400 naming the field, like a form error; every
    error body is an object (the schema's Error)."""
    from rest_framework.exceptions import ValidationError

    from apps.core.errors import ApplicationError

    if isinstance(exc, ApplicationError):
        exc = ValidationError(exc.as_dict())
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, list):
        # ValidationError("…") without a field: still an object, as the schema's Error says.
        response.data = {"non_field_errors": response.data}
    return response
