"""The ticket event satisfaction records: the requester rated the support (or changed it)."""

from dataclasses import dataclass

from apps.tickets.events import declare


@declare("rated", "rated the support", hidden=["satisfied"])
@dataclass(frozen=True)
class Rated:
    rating_id: int
    rating: str  # the score as people read it: "Good" or "Bad"
    satisfied: bool
    channel: str = ""  # "e-mail link" or "portal"
    with_comment: bool = False
