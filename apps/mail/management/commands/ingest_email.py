"""``manage.py ingest_email [--mailbox NAME]``: one RFC 822 message on stdin, for an MTA pipe.

Prints one line saying what became of it (``created SB-10432``, ``comment SB-10432``,
``duplicate 12: …``, ``ignored 12: …``, ``quarantined 12: …``) and exits 0 for all of them: the
message is stored, so the MTA must not send it again. Exits 75 (EX_TEMPFAIL: the MTA keeps the
message and retries) only when it could not be stored, e.g. the database is down.
"""

import sys

from django.core.management.base import BaseCommand, CommandError

from apps.mail.intake import inbound_process, inbound_store
from apps.mail.models import Mailbox, Source

EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "Take one e-mail (RFC 822) from standard input: open a ticket or thread a reply."

    def add_arguments(self, parser):
        parser.add_argument(
            "--mailbox", help="Name or address of the mailbox the message was delivered to."
        )

    def handle(self, *args, mailbox=None, **options):
        raw = sys.stdin.buffer.read()
        if not raw.strip():
            raise CommandError("No message on standard input.")
        try:
            box = self._mailbox(mailbox) if mailbox else None
            message, stored_now = inbound_store(raw, source=Source.PIPE, mailbox=box)
        except Exception as exc:  # nothing is stored: the MTA must keep it and try again
            self.stderr.write(f"not stored, try again later: {type(exc).__name__}: {exc}")
            sys.exit(EX_TEMPFAIL)
        if not stored_now:
            self.stdout.write(f"duplicate {message.pk}: this message was received before")
            return
        self.stdout.write(inbound_process(message))

    def _mailbox(self, name: str) -> Mailbox | None:
        box = (
            Mailbox.objects.filter(name=name).first()
            or Mailbox.objects.filter(address__iexact=name).first()
        )
        if box is None:  # still take the message: the addresses in it may name the mailbox
            self.stderr.write(f"no mailbox is named {name!r}; taking the message without one")
        return box
