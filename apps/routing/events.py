"""The ticket events routing records."""

from dataclasses import dataclass

from apps.tickets.events import declare


@declare("routed", "routed the ticket", hidden=["ms", "trigger"])
@dataclass(frozen=True)
class Routed:
    decision_id: int
    trigger: str
    rules: list[str]
    team: str | None
    routed: bool
    errors: int = 0
    ms: float = 0.0


@declare("classified", "classified the ticket")
@dataclass(frozen=True)
class Classified:
    """Root cause and regression flag: what changed is in the event's ``changes``."""
