"""Health checks: /healthz/ for operators and monitoring, /healthz/web/ for the load balancer.

/healthz/ reports the database, cache, broker, worker heartbeat and outbox backlog, and answers
503 — JSON, never a 500 — when any is not well. /healthz/web/ says only that this web process
answers: a broker or worker outage must not make the load balancer take every web node out
(then nobody could even read a ticket).
"""

import re
from datetime import datetime

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache

from .outbox import outbox_backlog
from .tasks import HEARTBEAT_KEY

CACHE_PROBE_KEY = "switchboard:health-probe"


def _error(exc: Exception) -> str:
    """The error, short, without credentials a URL in it might carry."""
    text = re.sub(r"(\w+://)[^@/\s]*@", r"\1***@", str(exc) or type(exc).__name__)
    return text.replace("@", " at ")[:200]


def _database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"ok": True, "vendor": connection.vendor}


def _cache() -> dict:
    cache.set(CACHE_PROBE_KEY, "1", timeout=60)
    return {"ok": cache.get(CACHE_PROBE_KEY) == "1"}


def _broker() -> dict:
    with current_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
    return {"ok": True}


def _worker() -> dict:
    beat = cache.get(HEARTBEAT_KEY)
    if not beat:
        return {"ok": False, "error": "no heartbeat yet: is the worker (and beat) running?"}
    age = (timezone.now() - datetime.fromisoformat(beat)).total_seconds()
    return {
        "ok": age < settings.WORKER_HEARTBEAT_STALE_SECONDS,
        "last_heartbeat": beat,
        "age_seconds": round(age),
    }


def _run(check) -> dict:
    try:
        return check()
    except Exception as exc:  # a service that is down is a finding, not a crash
        return {"ok": False, "error": _error(exc)}


def may_see_details(request) -> bool:
    """Staff, or monitoring with the configured token (``X-Health-Token``); anyone else learns
    only whether the desk is healthy, not what runs it or where."""
    token = settings.HEALTH_TOKEN
    sent = request.headers.get("X-Health-Token", "")
    if token and sent and constant_time_compare(sent, token):
        return True
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated and user.is_staff)


@never_cache
def healthz(request):
    checks = {
        "database": _run(_database),
        "cache": _run(_cache),
        "broker": _run(_broker),
        "worker": _run(_worker),
        "outbox": _run(outbox_backlog),
    }
    checks["broker"]["transport"] = settings.CELERY_BROKER_URL.split("://", 1)[0]
    healthy = all(check["ok"] for check in checks.values())
    body = {"ok": healthy, **checks} if may_see_details(request) else {"ok": healthy}
    return JsonResponse(body, status=200 if healthy else 503)


@never_cache
def healthz_web(request):
    """For the load balancer: this process serves requests. Touches no other service."""
    return JsonResponse({"ok": True})
