"""Registrations of this part of reviews (called from ``apps.reviews.receivers``)."""

from apps.core import mailchoices


def register() -> None:
    # Celery finds tasks modules of installed apps only (apps.reviews.tasks): import ours so
    # workers know the digest task beat sends them.
    from . import tasks  # noqa: F401

    mailchoices.register(
        mailchoices.MailChoice(
            "reviews.mentoring_digest",
            "The weekly digest of the tickets the techs I mentor closed",
            ("mentoring_digest",),
            "Reviews",
            order=40,
            shown_to=_sponsors,
        )
    )
    # Kudos a lead shares are sent to the people they chose, on purpose: not optional.


def _sponsors(user) -> bool:
    return user.sponsorships.filter(is_active=True).exists()
