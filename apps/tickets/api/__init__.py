"""The tickets REST API (/api/v1/): serializers validate and delegate to services."""

from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """Turn a service's ApplicationError into a 400 naming the field, like a form error."""
    from rest_framework.exceptions import ValidationError

    from apps.core.errors import ApplicationError

    if isinstance(exc, ApplicationError):
        exc = ValidationError(exc.as_dict())
    return drf_exception_handler(exc, context)
