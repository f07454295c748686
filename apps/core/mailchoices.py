"""The e-mails people may turn off: each app declares its own choices here, the outbox obeys them.

A choice names, in plain words, a kind of news ("a reply on my request") and the outbox kinds
that carry it (``"agent_replied"``), or a kind and the topic a message was sent about
(``"notified:SLA"`` covers "notified" messages whose topic starts with "SLA"). The most specific
pattern wins. A message no choice covers — a sign-in link, a password reset — is always sent:
nobody can opt out of the mail that lets them into their account.

What each person turned off is kept on their account as the list of choice keys
(``mail_opt_outs``); no entry means they get it, as everyone did before choices existed.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model


@dataclass(frozen=True)
class MailChoice:
    key: str  # "<app>.<name>", stored in people's opt-outs: never rename one
    label: str  # what the person reads next to the checkbox
    covers: tuple[str, ...]  # outbox kinds, or "kind:topic prefix"
    group: str  # the heading it is listed under
    help: str = ""
    order: int = 100
    # Whether this person has a use for it (agents for escalations, …); None: everyone.
    shown_to: Callable | None = None


_choices: dict[str, MailChoice] = {}
_patterns: dict[str, str] = {}  # pattern -> choice key


def register(choice: MailChoice) -> None:
    for pattern in choice.covers:
        owner = _patterns.get(pattern)
        if owner is not None and owner != choice.key:
            raise ValueError(f"{pattern!r} is covered by {owner} already")
    _choices[choice.key] = choice
    _patterns.update(dict.fromkeys(choice.covers, choice.key))


def all_choices() -> list[MailChoice]:
    return sorted(_choices.values(), key=lambda c: (c.order, c.key))


def choices_for(user) -> list[MailChoice]:
    """The choices this person is offered on their e-mail settings page."""
    return [c for c in all_choices() if c.shown_to is None or c.shown_to(user)]


def choice_for(*, kind: str, topic: str = "") -> MailChoice | None:
    """The choice a message of this kind (and topic) belongs to; None: it is always sent."""
    full = f"{kind}:{topic}"
    best = max(
        (p for p in _patterns if p == kind or (":" in p and full.startswith(p))),
        key=len,
        default=None,
    )
    return _choices[_patterns[best]] if best is not None else None


def _opt_outs_of(*, to: str, recipient) -> Iterable[str]:
    if recipient is not None and getattr(recipient, "email", "").lower() == to.lower():
        return recipient.mail_opt_outs or ()  # loaded with the person: no query
    users = get_user_model()._default_manager
    # Addresses are stored in lower case (UserManager): the unique index answers.
    return users.filter(email=to.lower()).values_list("mail_opt_outs", flat=True).first() or ()


def mail_wanted(*, kind: str, to: str, topic: str = "", recipient=None) -> bool:
    """Whether the person at ``to`` wants messages of this kind. ``recipient``, when the caller
    has the person loaded, saves the look-up by address."""
    choice = choice_for(kind=kind, topic=topic)
    return choice is None or choice.key not in _opt_outs_of(to=to, recipient=recipient)
