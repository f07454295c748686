"""Who a help-centre visitor is, and how much an anonymous one may add to the figures.

Signed in, a visitor is their session. Signed out, reading must not write a session row per
page (a crawler would fill the table), so a visitor is a random id in a cookie of its own. A
client that drops cookies is a new visitor on every request, so anonymous votes and counts are
also limited per client address (and votes per article): see RATELIMIT_KB_* in settings.
"""

import re
import secrets
from functools import wraps

from django.conf import settings

from apps.core.ratelimits import over_limit

COOKIE = "sb_visitor"
_ID = re.compile(r"^[A-Za-z0-9_-]{22}$")


def visitor_key(request) -> str:
    """The key votes, deflections and searches are recorded under for this visitor."""
    if request.user.is_authenticated and request.session.session_key:
        return request.session.session_key
    value = request.COOKIES.get(COOKIE, "")
    if not _ID.match(value):  # none yet, or made up: a fresh one, set on the response
        value = getattr(request, "kb_new_visitor", None) or secrets.token_urlsafe(16)
        request.kb_new_visitor = value
    return "v:" + value  # never equal to a session key (32 lowercase letters and digits)


def remember_visitor(request, response):
    """Set the visitor cookie on ``response`` if ``visitor_key`` made a new id."""
    value = getattr(request, "kb_new_visitor", None)
    if value:
        response.set_cookie(
            COOKIE,
            value,
            max_age=settings.SESSION_COOKIE_AGE,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    return response


def remembers_visitor(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        return remember_visitor(request, view(request, *args, **kwargs))

    return wrapped


def may_count(request) -> bool:
    """Whether this request's view or search may add to the figures (signed out: up to
    RATELIMIT_KB_COUNTS_PER_CLIENT an hour per client; the page answers either way)."""
    if request.user.is_authenticated:
        return True
    return not over_limit(request, group="kb-counts", rate=settings.RATELIMIT_KB_COUNTS_PER_CLIENT)


def vote_over_limit(request, article) -> bool:
    """A signed-out "Did this help?" or "This solved it", past the limits per client or per
    article. Signed-in votes are one per session and need no limit."""
    if request.user.is_authenticated:
        return False
    return over_limit(
        request, group="kb-votes-client", rate=settings.RATELIMIT_KB_VOTES_PER_CLIENT
    ) or over_limit(
        request,
        group="kb-votes-article",
        rate=settings.RATELIMIT_KB_VOTES_PER_ARTICLE,
        key=f"article:{article.pk}",
    )
