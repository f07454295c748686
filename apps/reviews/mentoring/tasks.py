"""Celery task of the mentor review: Monday's digest to every sponsor (beat, see
CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from .services import digest_send


@shared_task(acks_late=True, ignore_result=True)
def mentoring_digest_task() -> int:
    """Last week's digest for each sponsor; a re-run stores nothing new (the outbox dedupes)."""
    return digest_send()
