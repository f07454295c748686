"""System checks of the outbox's time limits: a slow but living worker must never be doubled."""

from django.conf import settings
from django.core.checks import Error, Warning, register


@register()
def outbox_time_limits(app_configs, **kwargs):
    problems = []
    email_timeout = settings.EMAIL_TIMEOUT or 0
    hard_limit = settings.CELERY_TASK_TIME_LIMIT or 0
    soft_limit = settings.CELERY_TASK_SOFT_TIME_LIMIT or hard_limit
    if not email_timeout:
        problems.append(
            Warning(
                "EMAIL_TIMEOUT is not set: a hanging SMTP server holds a worker until the "
                "task's time limit.",
                id="core.W001",
            )
        )
    elif soft_limit and email_timeout >= soft_limit:
        problems.append(
            Warning(
                f"EMAIL_TIMEOUT ({email_timeout} s) should be below the task's soft time "
                f"limit ({soft_limit} s), so a hanging server is a retry, not a killed task.",
                id="core.W002",
            )
        )
    if email_timeout + hard_limit >= settings.OUTBOX_STALE_CLAIM_SECONDS:
        problems.append(
            Error(
                f"OUTBOX_STALE_CLAIM_SECONDS ({settings.OUTBOX_STALE_CLAIM_SECONDS}) must be "
                f"longer than EMAIL_TIMEOUT + CELERY_TASK_TIME_LIMIT ({email_timeout + hard_limit})"
                ": a worker still sending would have its message taken back and sent twice.",
                id="core.E001",
            )
        )
    return problems
