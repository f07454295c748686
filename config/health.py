"""/healthz/: the state of the database, the broker and the Celery worker, as JSON."""

from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from apps.mail.tasks import HEARTBEAT_KEY
from config.celery import app


def _database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True, "vendor": connection.vendor}
    except Exception as exc:
        return {"ok": False, "error": str(exc)[:200]}


def _broker() -> dict:
    transport = settings.CELERY_BROKER_URL.split("://", 1)[0]
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return {"ok": True, "transport": transport}
    except Exception as exc:
        return {"ok": False, "transport": transport, "error": str(exc)[:200]}


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


@never_cache
def healthz(request):
    checks = {"database": _database(), "broker": _broker(), "worker": _worker()}
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse({"ok": healthy, **checks}, status=200 if healthy else 503)
