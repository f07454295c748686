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


@register(deploy=True)
def secret_key_is_not_the_development_one(app_configs, **kwargs):
    """Django's own check (security.W009) passes our long development key: refuse it here."""
    if getattr(settings, "DEVELOPMENT_SECRET_KEY", None) == settings.SECRET_KEY:
        return [
            Error(
                "SECRET_KEY is Switchboard's published development key: anyone can forge "
                "sessions and signed links with it. Set a long random SECRET_KEY.",
                id="core.E002",
            )
        ]
    return []
