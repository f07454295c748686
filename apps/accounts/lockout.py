"""How django-axes names the account being guessed, and what a locked-out person sees."""

from django.shortcuts import render
from rest_framework import status


def username_of(request, credentials: dict | None) -> str:
    """The e-mail address tried, as sign-in reads it (case-insensitive): so RITA@example.com
    and rita@example.com count against the same lockout."""
    username = (credentials or {}).get("username")
    if username is None:
        data = getattr(request, "data", None) or request.POST
        username = data.get("username") or data.get("email") or ""
    return str(username).strip().lower()


def locked_out_response(request, original_response=None, credentials=None):
    from django.conf import settings
    from django.http import JsonResponse

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = (
        f"Too many failed sign-ins for this address from your network. Try again in "
        f"{minutes} minutes, or reset your password."
    )
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=status.HTTP_429_TOO_MANY_REQUESTS)
    else:
        response = render(
            request,
            "accounts/locked_out.html",
            {"message": message},
            status=status.HTTP_429_TOO_MANY_REQUESTS,
        )
    response["Retry-After"] = str(minutes * 60)
    return response
