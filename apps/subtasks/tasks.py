"""Celery tasks of subtasks: thin wrappers that take ids; the claims inside make re-runs harmless."""

from celery import shared_task

from .notifications import overdue_sweep, subtask_link_mail_send


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_subtask_link(subtask_id: int, user_id: int | None = None) -> bool:
    return subtask_link_mail_send(subtask_id=subtask_id, user_id=user_id)


@shared_task(acks_late=True, ignore_result=True)
def send_overdue_reminders() -> dict:
    return overdue_sweep()
