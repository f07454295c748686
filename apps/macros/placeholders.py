"""The placeholders a macro's text may hold, and their substitution.

Not the Django template engine: a macro is text people type, and a template could reach any
attribute, tag or filter. Only the names below are replaced; anything else stays as typed.
"""

import re
from collections.abc import Callable

from django.conf import settings
from django.urls import reverse

PLACEHOLDER = re.compile(r"\{\{\s*([^{}\n]*?)\s*\}\}")


def _first_name(person) -> str:
    if person is None:
        return ""
    if person.full_name:
        return person.full_name.split()[0]
    return person.email.split("@")[0]


def _portal_link(ticket) -> str:
    return settings.SITE_URL + reverse("portal:ticket", args=[ticket.reference])


# name -> (what it stands for, fn(ticket, agent) -> text)
PLACEHOLDERS: dict[str, tuple[str, Callable]] = {
    "requester.first_name": ("the requester's first name", lambda t, a: _first_name(t.requester)),
    "requester.full_name": ("the requester's name", lambda t, a: t.requester.get_full_name()),
    "requester.email": ("the requester's e-mail address", lambda t, a: t.requester.email),
    "ticket.reference": ("the tracking number, e.g. SB-10432", lambda t, a: t.reference),
    "ticket.subject": ("the ticket's subject", lambda t, a: t.subject),
    "ticket.link": ("the ticket's page in the portal", lambda t, a: _portal_link(t)),
    "ticket.team": ("the team working it", lambda t, a: str(t.team or "")),
    "agent.first_name": ("your first name", lambda t, a: _first_name(a)),
    "agent.full_name": ("your name", lambda t, a: a.get_full_name()),
}


def render(text: str, *, ticket, agent) -> str:
    """``text`` with each known placeholder replaced for this ticket and agent."""

    def value(match: re.Match) -> str:
        known = PLACEHOLDERS.get(match.group(1))
        return known[1](ticket, agent) if known else match.group(0)

    return PLACEHOLDER.sub(value, text)


def unknown_in(text: str) -> list[str]:
    """Placeholders in ``text`` that are not offered (a typo would reach the requester)."""
    return sorted({name for name in PLACEHOLDER.findall(text) if name not in PLACEHOLDERS})
