"""Handing work to Celery after a transaction commits, without ever failing the request.

A saved ticket or reply must not answer 500 because the broker is down: the rows are committed,
and whatever the task would do is found again by a beat sweep (the outbox, the SLA sweep).
"""

import logging

from celery import Task
from django.db import transaction

log = logging.getLogger(__name__)


def publish(task: Task, *args, **kwargs) -> bool:
    """Send a task now; on a broker error log it and return False instead of raising."""
    try:
        task.apply_async(args=args, kwargs=kwargs, retry=False)
    except Exception:  # the broker is down or refused: a sweep will pick the work up
        log.warning("could not publish %s%r; a sweep will retry", task.name, args, exc_info=True)
        return False
    return True


def publish_after_commit(task: Task, *args, **kwargs) -> None:
    """Send a task once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(lambda: publish(task, *args, **kwargs))
