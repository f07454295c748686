"""The ticket events of problems: linked, unlinked, and the fix that resolved it."""

from dataclasses import dataclass

from apps.tickets import history as h
from apps.tickets.events import declare


@declare("problem_linked", "linked the ticket to a problem", hidden=["problem_id"])
@dataclass(frozen=True)
class ProblemLinked:
    problem_id: int
    problem: str  # "PRB-3 Card readers drop offline at night"
    via: str = ""  # "ticket page", "several tickets at once", a rule's name

    def describe(self, event) -> str:
        return f"Linked to problem {self.problem}{h.by(event)}"


@declare("problem_unlinked", "unlinked the ticket from a problem", hidden=["problem_id"])
@dataclass(frozen=True)
class ProblemUnlinked:
    problem_id: int
    problem: str

    def describe(self, event) -> str:
        return f"Unlinked from problem {self.problem}{h.by(event)}"
