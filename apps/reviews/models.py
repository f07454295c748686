"""The models of reviews live with their part (scoring, mentoring, satisfaction); imported here
so Django registers them under the app "reviews"."""

from .mentoring.models import Pairing, ReviewEntry  # noqa: F401
from .satisfaction.models import Kudos, KudosShare, Rating  # noqa: F401
from .scoring.models import (  # noqa: F401
    CaseAnswer,
    Choice,
    Question,
    Questionnaire,
    ScoredCase,
    ScoringRound,
)
