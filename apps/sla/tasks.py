"""Celery tasks of the SLA app: the beat sweep, and one task per clock that claims before acting
(so a re-delivered or duplicated task is a no-op)."""

from celery import shared_task

from apps.core.metrics import record_run
from apps.core.queue import publish

from . import services

CLOCK_TASK = {
    "acks_late": True,
    "autoretry_for": (OSError,),
    "retry_backoff": True,
    "max_retries": 5,
    # Nobody waits for these results; storing them would cost a broker round trip per task.
    "ignore_result": True,
}


@shared_task(ignore_result=True)
def sla_sweep_task() -> None:
    found = services.sla_sweep()
    record_run("sla-sweep")  # /metrics: how late the next sweep is
    if any(len(ids) >= services.SWEEP_BATCH for ids in found.values()):
        # More than a batch was due: carry on without waiting a minute (if the broker is down,
        # the next beat does).
        publish(sla_sweep_task)


@shared_task(**CLOCK_TASK)
def clock_warn_task(clock_id: int) -> bool:
    return services.clock_warn(clock_id=clock_id)


@shared_task(**CLOCK_TASK)
def clock_breach_task(clock_id: int) -> bool:
    return services.clock_breach(clock_id=clock_id)


@shared_task(**CLOCK_TASK)
def clock_step_task(clock_id: int) -> str | None:
    return services.clock_step_run(clock_id=clock_id)
