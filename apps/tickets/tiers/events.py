"""The ticket events of tiered support."""

from dataclasses import dataclass, field

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


@declare("handed_back", "handed the ticket back")
@dataclass(frozen=True)
class HandedBack:
    hand_back_id: int
    from_team: str | None
    from_tier: int
    to: str
    missing: list[str]
    note: str = ""


@declare("holder_changed", "changed who holds the ticket")
@dataclass(frozen=True)
class HolderChanged:
    reason: str
    holder_id: int | None = None
