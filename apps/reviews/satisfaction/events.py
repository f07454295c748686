"""The ticket event satisfaction records: the requester rated the support (or changed it)."""

from dataclasses import dataclass

from apps.tickets import history as h
from apps.tickets.events import declare


@declare("rated", "rated the support", hidden=["satisfied"])
@dataclass(frozen=True)
class Rated:
    rating_id: int
    rating: str  # the score as people read it: "Good" or "Bad"
    satisfied: bool
    channel: str = ""  # "e-mail link" or "portal"
    with_comment: bool = False

    def describe(self, event) -> str:
        who = h.actor_name(event) or "The requester"
        text = f"{who} rated the support {self.rating}"
        text += {"portal": " in the portal", "e-mail link": " by e-mail link"}.get(self.channel, "")
        return text + (", with a comment" if self.with_comment else "")
