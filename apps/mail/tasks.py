"""Celery tasks of mail: poll the IMAP mailboxes each minute, and finish what a crash left
stored but unprocessed. Both are safe to run twice: a mailbox is polled by one run at a time,
and a message is taken by one worker under its row lock."""

from celery import shared_task

from apps.core.queue import publish

from . import imap, intake


@shared_task(
    acks_late=True,
    ignore_result=True,
    # Above the default: a server that does not answer costs MAIL_IMAP_TIMEOUT per mailbox.
    # Mailboxes left when the time is up are polled by the next beat (a run still going holds
    # its mailboxes, so runs that overlap share the work instead of repeating it).
    soft_time_limit=imap.POLL_TIME_LIMIT - 30,
    time_limit=imap.POLL_TIME_LIMIT,
)
def mailboxes_poll_task() -> dict:
    figures = imap.mailboxes_poll()
    if figures["more"]:
        # A mailbox had more than a batch waiting: carry on without waiting a minute.
        publish(mailboxes_poll_task)
    return figures


@shared_task(acks_late=True, ignore_result=True)
def inbound_sweep_task() -> dict:
    return intake.inbound_sweep()
