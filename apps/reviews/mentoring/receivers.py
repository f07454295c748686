"""Registrations of this part of reviews (called from ``apps.reviews.receivers``)."""


def register() -> None:
    # Celery finds tasks modules of installed apps only (apps.reviews.tasks): import ours so
    # workers know the digest task beat sends them.
    from . import tasks  # noqa: F401
