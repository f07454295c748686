"""The ticket events routing records."""

from dataclasses import dataclass

from apps.tickets import history as h
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

    def describe(self, event) -> str:
        verb = "Re-routed" if self.trigger == "reroute" else "Routed"
        rules = f"rule{'s' if len(self.rules) > 1 else ''} {h.quoted(self.rules)}"
        if self.routed and self.team:
            who = h.actor_name(event) if self.trigger == "triage" else rules
            text = f"{verb} to {self.team} by {who or rules}"
        elif self.rules:
            text = f"Matched {rules}; no rule chose a team, so it went to {self.team or 'no team'}"
        else:
            text = f"No routing rule matched: it went to {self.team or 'no team'}"
        if self.errors:
            text += f" ({self.errors} rule{'s' if self.errors != 1 else ''} failed)"
        return text


@declare("classified", "classified the ticket")
@dataclass(frozen=True)
class Classified:
    """Root cause and regression flag: what changed is in the event's ``changes``."""

    def describe(self, event) -> str:
        changed = h.changes_text(event.changes)
        return h.capitalised(changed or "classified") + h.by_or_system(event)
