"""Celery tasks of subtasks: the overdue sweep (its e-mails go through the outbox)."""

from celery import shared_task

from .notifications import overdue_sweep


@shared_task(acks_late=True, ignore_result=True)
def send_overdue_reminders() -> dict:
    return overdue_sweep()
