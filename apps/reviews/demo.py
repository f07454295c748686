"""Demo data of reviews: ratings and kudos, a scored quarter, last week's mentor review."""

from .mentoring.demo import populate as mentoring
from .satisfaction.demo import populate as satisfaction
from .scoring.demo import populate as scoring


def populate(demo: dict) -> None:
    satisfaction(demo)
    scoring(demo)
    mentoring(demo)
