"""Where an inbound message belongs, and putting it there.

Threading, strongest proof first:
1. a genuine (signed) Message-ID of ours in In-Reply-To/References, or a signed reply address
   in To/Cc/Delivered-To (``apps.core.mailthread``): the sender got our message, or someone
   forwarded it to them. Its outbox row says the thread: a ticket, a subtask, or none (a sign-in
   link: the reply is ignored).
2. our thread root ``<SB-10432@desk>`` in the references, or the tracking number in the subject:
   it names the ticket, but anybody can type it, so it counts only from people on the ticket.
A reply from someone on the ticket is added to it; from someone else with proof, they become a
follower first (a forwarded mail); without proof, the message opens a ticket of its own.
"""

import re
import unicodedata
from dataclasses import dataclass
from email.utils import parseaddr

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.accounts.models import User
from apps.core.errors import ApplicationError
from apps.core.mailthread import outbox_ids_in, reply_address_base
from apps.core.models import OutboxMessage
from apps.core.numbers import as_id
from apps.core.outbox import mail_domain
from apps.tickets import extensions
from apps.tickets.models import Channel, Status, Ticket
from apps.tickets.permissions import can_reply_to_requester, can_work, is_follower, is_requester
from apps.tickets.services import (
    attachments_validate,
    comment_add,
    followers_add,
    ticket_create,
    ticket_update,
)

from .models import InboundMessage, Mailbox
from .models import Status as InboundStatus
from .outcomes import Quarantine, Result
from .parsing import ParsedEmail
from .senders import SenderRefused, followers_for, person_for

NO_TEXT = "(The e-mail had no text.)"


@dataclass(frozen=True)
class Target:
    ticket: Ticket | None = None
    reply_kind: str = ""  # a reply target other than the ticket, e.g. "subtask"
    object_id: int | None = None
    proof: bool = False  # the sender answered a message of ours (or had it forwarded)
    ignore: str = ""


# --- our own addresses


def own_addresses() -> set[str]:
    local, domain = reply_address_base()
    addresses = {f"{local}@{domain}".lower(), parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower()}
    addresses.update(a.lower() for a in Mailbox.objects.values_list("address", flat=True))
    return addresses


def is_own_address(address: str, own: set[str] | None = None) -> bool:
    """One of the desk's addresses, with or without a "+tag"."""
    local, _, domain = address.lower().partition("@")
    return f"{local.split('+')[0]}@{domain}" in (own if own is not None else own_addresses())


def mailbox_for(parsed: ParsedEmail) -> Mailbox | None:
    """The mailbox a piped or posted message was delivered to, by its addresses."""
    for address in (*parsed.delivered_to, *parsed.to, *parsed.cc):
        local, _, domain = address.lower().partition("@")
        mailbox = Mailbox.objects.filter(
            address__iexact=f"{local.split('+')[0]}@{domain}", is_active=True
        ).first()
        if mailbox is not None:
            return mailbox
    return None


# --- where it belongs


def target_for(parsed: ParsedEmail, *, mailbox: Mailbox | None) -> Target:
    signed = " ".join(
        (*parsed.in_reply_to, *parsed.references, *parsed.to, *parsed.cc, *parsed.delivered_to)
    )
    for pk in outbox_ids_in(signed):
        row = OutboxMessage.objects.filter(pk=pk).only("kind", "thread").first()
        if row is None:
            continue
        if not row.thread:
            return Target(ignore=f"a reply to an automatic e-mail ({row.kind.replace('_', ' ')})")
        kind, _, object_id = row.thread.partition(":")
        if kind == "ticket":
            ticket = Ticket.objects.filter(pk=as_id(object_id)).first()
            if ticket is not None:
                return Target(ticket=ticket, proof=True)
        else:
            return Target(reply_kind=kind, object_id=as_id(object_id), proof=True)
    ticket = _named_ticket(parsed)
    return Target(ticket=ticket) if ticket is not None else Target()


def _named_ticket(parsed: ParsedEmail) -> Ticket | None:
    prefix = re.escape(settings.TICKET_REFERENCE_PREFIX)
    root = re.compile(rf"<({prefix}-\d{{1,12}})@{re.escape(mail_domain())}>", re.IGNORECASE)
    for message_id in (*parsed.in_reply_to, *parsed.references):
        if match := root.fullmatch(message_id):
            return Ticket.objects.by_reference(match.group(1)).first()
    if match := re.search(rf"\b{prefix}-(\d{{1,12}})\b", parsed.subject, re.IGNORECASE):
        return Ticket.objects.by_reference(match.group(0)).first()
    return None


# --- a reply


def _on_ticket(user: User | None, ticket: Ticket) -> bool:
    return bool(
        user
        and user.is_active
        and (can_work(user, ticket) or is_requester(user, ticket) or is_follower(user, ticket))
    )


def reply_add(message: InboundMessage, parsed: ParsedEmail, target: Target) -> Result | None:
    """Add the reply where it belongs; None when it should open a ticket of its own instead."""
    if target.reply_kind:
        return _reply_elsewhere(parsed, target)
    ticket = target.ticket
    author = User.objects.filter(email__iexact=parsed.from_address).first()
    if not _on_ticket(author, ticket):
        if not target.proof:
            return None  # anybody can type a tracking number
        author = person_for(parsed.from_address, parsed.from_name, mailbox=message.mailbox)
        if author is None or not author.is_active:
            raise SenderRefused(
                f"{parsed.from_address} answered a message about {ticket.reference} but is not "
                "on the ticket, and this mailbox does not take unknown senders"
            )
        followers_add(ticket=ticket, users=[author], actor=author, source="forwarded e-mail")
    if ticket.status == Status.CLOSED:
        return None  # a closed ticket stays closed: the reply opens a follow-up
    agent = can_work(author, ticket)
    files, notes = attachment_files(parsed)
    comment = comment_add(
        ticket=ticket,
        author=author,
        body=body_text(parsed.reply_text, notes),
        # An agent's mail speaks to the requester only when it answers one of our messages: a
        # From header and a tracking number are easy to forge, a signed thread is not.
        internal=agent and not (target.proof and can_reply_to_requester(author, ticket)),
        channel=Channel.EMAIL,
        attachments=files,
    )
    if not agent and target.proof:
        # Only a signed thread adds people: with a forged From and a tracking number anyone
        # could copy themselves in and read the replies.
        _follow(ticket, parsed, message.mailbox, author)
    return Result(InboundStatus.COMMENT, f"comment {ticket.reference}", ticket, comment)


def _reply_elsewhere(parsed: ParsedEmail, target: Target) -> Result:
    handler = extensions.reply_target_for(target.reply_kind)
    if handler is None or target.object_id is None:
        raise Quarantine(f"a reply to a {target.reply_kind} message, which nothing here takes")
    author = User.objects.filter(email__iexact=parsed.from_address, is_active=True).first()
    if author is None:
        raise SenderRefused(
            f"{parsed.from_address} answered a {target.reply_kind} e-mail but has no account"
        )
    files, notes = attachment_files(parsed)
    ticket = handler(
        object_id=target.object_id,
        author=author,
        body=body_text(parsed.reply_text, notes, required=False),
        files=files,
    )
    return Result(
        InboundStatus.SUBTASK,
        f"comment {ticket.reference} ({target.reply_kind} {target.object_id})",
        ticket,
    )


def _follow(ticket: Ticket, parsed: ParsedEmail, mailbox: Mailbox | None, author: User) -> None:
    present = {ticket.requester.email.lower(), author.email.lower()}
    people = followers_for(parsed, mailbox=mailbox, leave_out=present)
    if people:
        followers_add(ticket=ticket, users=people, actor=author, source="copied on the e-mail")


# --- a new ticket


def ticket_open(
    message: InboundMessage, parsed: ParsedEmail, sender: User, *, refers_to: Ticket | None
) -> Result:
    mailbox = message.mailbox
    files, notes = attachment_files(parsed)
    text = body_text(parsed.text, notes)
    if refers_to is not None and refers_to.requester_id == sender.pk:
        text = f"Follow-up to {refers_to.reference}, which is closed.\n\n{text}"
    ticket = ticket_create(
        requester=sender,
        subject=" ".join(parsed.subject.split())[:200] or "(no subject)",
        description=text,
        channel=Channel.EMAIL,
        category=mailbox.default_category_id if mailbox and mailbox.default_category else None,
        intake_address=mailbox.address if mailbox else _first_own(parsed),
        attachments=files,
    )
    _follow(ticket, parsed, mailbox, sender)
    if mailbox is not None and mailbox.default_team_id:
        ticket.refresh_from_db(fields=["team"])
        if ticket.team is None or ticket.team.is_triage:
            ticket_update(
                ticket=ticket, actor=None, data={"team": mailbox.default_team}, source="mailbox"
            )
    return Result(InboundStatus.CREATED, f"created {ticket.reference}", ticket)


def _first_own(parsed: ParsedEmail) -> str:
    own = own_addresses()
    for address in (*parsed.delivered_to, *parsed.to, *parsed.cc):
        if is_own_address(address, own):
            return address
    return ""


# --- text and files


def body_text(text: str, notes: list[str], *, required: bool = True) -> str:
    """The text as a ticket keeps it: no control characters, within the desk's length limit
    (the whole message stays with the stored e-mail), with notes on what was left out."""
    text = "".join(
        ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs")
    ).strip()
    limit = settings.TEXT_MAX_CHARS - 2000
    if len(text) > limit:
        text = text[:limit].rstrip()
        notes = [f"The e-mail was cut at {limit:,} characters; the whole of it is kept.", *notes]
    if notes:
        text = "\n\n".join([text, *(f"[{note}]" for note in notes)]).strip()
    return text or (NO_TEXT if required else "")


def attachment_files(parsed: ParsedEmail) -> tuple[list[SimpleUploadedFile], list[str]]:
    """The parts the desk's attachment limits take; a note for each one left aside (it stays in
    the stored e-mail, which agents can download)."""
    files, notes = [], []
    for part in parsed.attachments:
        upload = SimpleUploadedFile(part.filename, part.data, part.content_type)
        if len(files) >= settings.ATTACHMENT_MAX_PER_MESSAGE:
            notes.append(f"“{part.filename}” was not attached: too many files in one e-mail")
            continue
        try:
            attachments_validate([upload])
        except ApplicationError as refused:
            notes.append(f"{refused.message} It was kept with the original e-mail")
            continue
        files.append(upload)
    return files, notes
