"""Celery tasks of the mail app: sending stored messages, and the worker heartbeat."""

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from .services import outbound_message_send

HEARTBEAT_KEY = "switchboard:worker-heartbeat"


@shared_task(
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def send_outbound_message(message_id: int) -> bool:
    return outbound_message_send(message_id=message_id)


@shared_task(ignore_result=True)
def worker_heartbeat() -> None:
    """Run by beat on a worker: proves to /healthz/ that both are alive."""
    cache.set(HEARTBEAT_KEY, timezone.now().isoformat(), timeout=None)
