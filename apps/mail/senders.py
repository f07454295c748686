"""Who an inbound message is from, and who else it names: people found by address, or made
as the mailbox's policy for unknown senders allows. Bounces mark addresses undeliverable."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from apps.accounts.models import User
from apps.accounts.signup import organisation_for_email

from .models import Mailbox, UnknownSenders
from .parsing import Bounce, ParsedEmail

MAX_FOLLOWERS = 20  # CC'd addresses taken from one message; a mass mailing is not a team


class SenderRefused(Exception):
    """The sender may not open a ticket here; the reason is shown to admins."""


def _policy(mailbox: Mailbox | None) -> str:
    return mailbox.unknown_senders if mailbox else settings.MAIL_UNKNOWN_SENDERS


def person_for(address: str, name: str = "", *, mailbox: Mailbox | None) -> User | None:
    """The person with this address; a new account (no password: they sign in with an
    e-mailed link) when the mailbox takes unknown senders; else None."""
    user = User.objects.filter(email__iexact=address).first()
    if user is not None:
        return user
    policy = _policy(mailbox)
    if policy == UnknownSenders.KNOWN:
        return None
    organisation = organisation_for_email(email=address)
    if policy == UnknownSenders.DOMAINS and organisation is None:
        return None
    try:
        validate_email(address)
    except ValidationError:
        return None
    return User.objects.create_user(
        email=address, full_name=" ".join(name.split())[:150], organisation=organisation
    )


def sender_for(parsed: ParsedEmail, *, mailbox: Mailbox | None) -> User:
    user = person_for(parsed.from_address, parsed.from_name, mailbox=mailbox)
    if user is None:
        where = mailbox.name if mailbox else "this desk"
        label = UnknownSenders(_policy(mailbox)).label.lower()
        raise SenderRefused(f"{parsed.from_address} is not a known sender; {where} takes {label}")
    if not user.is_active:
        raise SenderRefused(f"the account of {parsed.from_address} is deactivated")
    return user


def followers_for(
    parsed: ParsedEmail, *, mailbox: Mailbox | None, leave_out: set[str]
) -> list[User]:
    """The people the message was also sent to (To and Cc), besides the desk's own addresses."""
    from .threads import is_own_address

    addresses = []
    for address in (*parsed.to, *parsed.cc):
        if address not in leave_out and address not in addresses and not is_own_address(address):
            addresses.append(address)
    people = (person_for(address, mailbox=mailbox) for address in addresses[:MAX_FOLLOWERS])
    return [person for person in people if person is not None and person.is_active]


def bounce_record(bounce: Bounce) -> str:
    """Mark the addresses a bounce names as undeliverable; say what was done."""
    reason = bounce.diagnostic[:300] or "the mail server refused the address"
    marked = User.objects.filter(email__in=[a.lower() for a in bounce.recipients]).update(
        email_bounced_at=timezone.now(), email_bounce_reason=reason
    )
    who = ", ".join(bounce.recipients) or "an unknown address"
    note = f"; {marked} account(s) marked undeliverable" if marked else ""
    return f"bounce for {who} ({reason}){note}"
