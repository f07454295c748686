"""Celery tasks of core: the one task that sends e-mail, its sweep, clearing the text of old
sent e-mail, and the worker heartbeat."""

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from .metrics import record_run
from .outbox import outbox_send, outbox_sent_bodies_clear, outbox_sweep

HEARTBEAT_KEY = "switchboard:worker-heartbeat"


@shared_task(acks_late=True, ignore_result=True)
def send_outbox_message(message_id: int) -> bool:
    """Send one outbox message. Never retried by Celery: failures are written on the row and
    the sweep publishes it again when it is due (a countdown held by a worker would be lost
    with the worker or the broker)."""
    return outbox_send(message_id=message_id)


@shared_task(acks_late=True, ignore_result=True)
def outbox_sweep_task() -> dict:
    swept = outbox_sweep()
    record_run("outbox-sweep")  # /metrics: how late the next sweep is
    return swept


@shared_task(ignore_result=True)
def outbox_sent_bodies_clear_task() -> int:
    """Daily (beat): the text of e-mail sent more than OUTBOX_KEEP_SENT_BODY_DAYS ago."""
    return outbox_sent_bodies_clear()


@shared_task(ignore_result=True)
def worker_heartbeat() -> None:
    """Run by beat on a worker: proves to /healthz/ that both are alive."""
    cache.set(HEARTBEAT_KEY, timezone.now().isoformat(), timeout=None)
