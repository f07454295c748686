"""Demo: the help desk's mailbox, and one conversation by e-mail.

The e-mails of the demo's past count as sent; only the present is mailed. Hundreds of
backdated tickets queue hundreds of e-mails to made-up people. Marking those as sent (when they
were queued) keeps var/mail for what happens after the seed, and the claim in
``apps.core.outbox.outbox_send`` turns their queued tasks into no-ops.

Then a requester e-mails the desk (a ticket with its tracking number), an agent replies (the
mail in var/mail carries the signed Reply-To), the requester's e-mailed answer lands on the
ticket, and a malformed message waits in quarantine (Admin → Inbound e-mail) for a retry.
"""

from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.db.models import F
from django.utils import timezone

from apps.core.mailthread import message_id_for
from apps.core.models import OutboxMessage, OutboxStatus
from apps.core.outbox import mail_domain
from apps.tickets.services import comment_add

from .intake import inbound_process, inbound_store
from .models import Mailbox, Source

DESK_ADDRESS = "help@switchboard.local"


def configure(demo: dict) -> None:
    demo["mailbox"] = Mailbox.objects.create(
        name="Help desk",
        address=DESK_ADDRESS,
        # What no routing rule places goes to the service desk, not to triage.
        default_team=demo.get("teams", {}).get("service-desk"),
    )


def populate(demo: dict) -> None:
    started_at = demo.get("started_at")
    if started_at is not None:
        past = OutboxMessage.objects.filter(created_at__lt=started_at, status=OutboxStatus.PENDING)
        count = past.update(status=OutboxStatus.SENT, sent_at=F("created_at"))
        demo["stdout"].write(f"  mail: {count} e-mails of the demo's past marked as sent")
    if demo.get("requesters"):
        _conversation(demo)


def _take(raw: bytes, mailbox: Mailbox) -> str:
    message, _ = inbound_store(raw, source=Source.DEMO, mailbox=mailbox)
    return inbound_process(message)


def _email(frm, subject: str, body: str, **headers) -> bytes:
    message = EmailMessage()
    message["From"] = f"{frm.full_name} <{frm.email}>"
    message["To"] = f"Help desk <{DESK_ADDRESS}>"
    message["Subject"] = subject
    message["Date"] = format_datetime(timezone.now())
    message["Message-ID"] = make_msgid(domain=frm.email_domain)
    for name, value in headers.items():
        message[name] = value
    message.set_content(body)
    return message.as_bytes()


def _conversation(demo: dict) -> None:
    mailbox, requester = demo["mailbox"], demo["requesters"][0]
    opened = _take(
        _email(
            requester,
            "Receipt printer at till 2 prints blank receipts",
            "Hello,\n\nsince this morning the receipt printer at till 2 prints blank paper. "
            "Customers are asking for receipts.\n\nThanks,\n" + requester.get_short_name(),
        ),
        mailbox,
    )
    ticket = mailbox.messages.get().ticket
    seats = demo["agents"].get(ticket.team.slug if ticket.team else "", [])
    agent = next((user for user, tier in seats if tier == 1), None)
    if agent is None:
        return
    comment_add(
        ticket=ticket,
        author=agent,
        body="Thanks — is the paper roll the right way up (shiny side to the print head)?",
        internal=False,
    )
    asked = OutboxMessage.objects.filter(thread=f"ticket:{ticket.pk}", kind="agent_replied").latest(
        "pk"
    )
    our_id = message_id_for(asked.pk, mail_domain())
    answered = _take(
        _email(
            requester,
            f"Re: {asked.subject}",
            "It was upside down. Works now, thank you!\n\n"
            f"On {timezone.now():%a %d %b %Y}, Switchboard wrote:\n> {agent.get_short_name()} "
            "replied to your request",
            **{"In-Reply-To": our_id, "References": our_id},
        ),
        mailbox,
    )
    broken = _take(
        b"Subject: lost header\r\nX-Mailer: a broken scanner\r\n\r\nscan attached\r\n", mailbox
    )
    demo["stdout"].write(f"  mail: {opened}; agent replied; {answered}; {broken}")
