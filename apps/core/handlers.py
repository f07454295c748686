"""Error pages: JSON under /api/ (what API clients and the schema expect), HTML elsewhere.

A URL under /api/ that matches no route (``/api/v1/subtasks/-1/``, an id that is not a number)
is answered by Django, not DRF: without this, an HTML page the API does not document.
"""

from django.http import JsonResponse
from django.views import defaults


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request, exception):
    if _is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        return JsonResponse({"detail": "Server error."}, status=500)
    return defaults.server_error(request)
