"""Celery tasks of insights: the sweep that catches up with changes made around the services."""

from celery import shared_task

from .facts import facts_rebuild

SWEEP_TIME_LIMIT = 14 * 60  # under the 15-minute beat, so two sweeps rarely overlap


@shared_task(
    acks_late=True,
    ignore_result=True,
    soft_time_limit=SWEEP_TIME_LIMIT - 60,
    time_limit=SWEEP_TIME_LIMIT,
)
def facts_refresh_stale_task() -> int:
    """Beat: refresh the facts of tickets that have none or changed since theirs were computed.
    Each batch commits on its own, so a sweep cut short by its time limit keeps what it did and
    the next one carries on; on a desk that just installed insights it fills the table."""
    return facts_rebuild(stale_only=True)
