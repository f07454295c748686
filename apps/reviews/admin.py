"""The admin of reviews: each part registers its own models."""

from .mentoring import admin as mentoring_admin  # noqa: F401
from .satisfaction import admin as satisfaction_admin  # noqa: F401
from .scoring import admin as scoring_admin  # noqa: F401
