"""Registrations of this part of reviews (called from ``apps.reviews.receivers``)."""


def register() -> None:
    pass
