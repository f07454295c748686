"""Limits on what anyone may ask of us in an hour: counted in the cache by django-ratelimit.

Web views call ``over_limit`` with a group and a rate from settings and answer ``rate_limited``
(429) when it says so; the API uses ``ClientRateThrottle`` (DRF) keyed on the same address.
Counts live in the cache (Redis in production, where INCR is atomic). If Redis is down the
limits let requests through (``RATELIMIT_FAIL_OPEN``) rather than refuse everyone; password
lockout (django-axes) keeps its counts in the database and holds regardless.
"""

import hashlib

from django.conf import settings
from django.shortcuts import render
from django_ratelimit.core import get_usage
from rest_framework.throttling import ScopedRateThrottle

from .clientip import client_network


def address_key(email: str) -> str:
    """One e-mail address however it is written (case, spaces): the limit follows the inbox."""
    normalized = (email or "").strip().lower()
    return "address:" + hashlib.sha256(normalized.encode()).hexdigest()


def over_limit(request, *, group: str, rate: str, key: str | None = None) -> bool:
    """Count this request in ``group`` (per client network, or per ``key``); True once the
    count passes ``rate`` ("5/h") in the current window."""
    value = key if key is not None else "ip:" + client_network(request)
    usage = get_usage(
        request, group=group, key=lambda _group, _request: value, rate=rate, increment=True
    )
    if usage is None:  # limits switched off (RATELIMIT_ENABLE) or the cache is down
        return False
    if usage["should_limit"]:
        request.rate_limit_retry_after = max(usage["time_left"], 1)
        return True
    return False


TOO_MANY_MAILS = "We have sent enough e-mail to this address or your network for now."


def mail_form_over_limit(request, email: str | None) -> bool:
    """A public form that makes us send e-mail (sign-in link, password reset, a task link's
    re-send): limited per client address and, once the form names one, per e-mail address, so
    no inbox can be flooded from many addresses."""
    if over_limit(request, group="mail-form-client", rate=settings.RATELIMIT_MAIL_PER_CLIENT):
        return True
    return bool(email) and over_limit(
        request,
        group="mail-form-address",
        rate=settings.RATELIMIT_MAIL_PER_ADDRESS,
        key=address_key(email),
    )


def rate_limited(request, message: str = ""):
    """The page that says "too many, try later": 429 with Retry-After."""
    retry_after = getattr(request, "rate_limit_retry_after", 3600)
    response = render(
        request,
        "rate_limited.html",
        {"message": message, "minutes": max(round(retry_after / 60), 1)},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


class ClientRateThrottle(ScopedRateThrottle):
    """DRF's scoped throttle, counting per client network as ``client_network`` reads it —
    never per whatever ``X-Forwarded-For`` a client made up."""

    def get_ident(self, request):
        return client_network(request)
