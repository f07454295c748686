"""The ticket events of tiered support."""

from dataclasses import dataclass, field

from .. import history as h
from ..events import declare


@declare("escalated", "escalated the ticket")
@dataclass(frozen=True)
class Escalated:
    escalation_id: int
    from_team: str | None
    from_tier: int
    to_team: str
    to_tier: int
    reason: str
    checklist_missing: list[str] = field(default_factory=list)
    source: str = ""

    def describe(self, event) -> str:
        text = f"Escalated to {self.to_team} tier {self.to_tier}{h.by(event, self.source)}"
        if self.checklist_missing:
            text += f", without {h.join(self.checklist_missing)}"
        return f"{text}: {self.reason}" if self.reason else text


@declare("handed_back", "handed the ticket back")
@dataclass(frozen=True)
class HandedBack:
    hand_back_id: int
    from_team: str | None
    from_tier: int
    to: str
    missing: list[str]
    note: str = ""

    def describe(self, event) -> h.Line:
        to = "the requester" if self.to == "requester" else self.to
        text = f"Handed back to {to}{h.by(event)}"
        if self.missing:
            text += f", missing {h.join(self.missing)}"
        return h.Line(text, detail=self.note)


@declare("holder_changed", "changed who holds the ticket")
@dataclass(frozen=True)
class HolderChanged:
    reason: str
    holder_id: int | None = None

    def describe(self, event) -> str:
        holder = (event.changes or {}).get("holder") or {}
        after = holder.get("after") if isinstance(holder, dict) else None
        text = f"{after} now holds the ticket" if after else "Nobody holds the ticket now"
        return text + (f" ({self.reason})" if self.reason else "")
