"""What processing an inbound message can come to (shared by the intake's steps)."""

from dataclasses import dataclass


class Quarantine(Exception):
    """The message cannot be taken as it is; the reason is shown to admins."""


class Ignore(Exception):
    """The message must not become a ticket or a comment (noise, a loop, a flood)."""


@dataclass(frozen=True)
class Result:
    status: str
    outcome: str
    ticket: object = None
    comment: object = None
