"""Celery tasks of the tickets app."""

from celery import shared_task

from . import idempotency


@shared_task(ignore_result=True)
def idempotency_keys_purge_task() -> int:
    """Hourly (beat): forget API Idempotency-Keys older than IDEMPOTENCY_KEY_TTL_HOURS."""
    return idempotency.idempotency_keys_purge()
