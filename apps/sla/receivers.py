"""Clocks follow the ticket: once per change, after routing and the ticket's own writes."""

from apps.tickets.events import ORDER, reaction

from .services import CLOCK_KINDS, clocks_react


def register() -> None:
    reaction(
        "sla.clocks",
        lambda ticket, events: clocks_react(ticket=ticket, events=events),
        order=ORDER["sla"],
        kinds=[*CLOCK_KINDS, "sla_policy_applied"],
    )
