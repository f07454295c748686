"""Fixtures of the mail tests: a ticket opened by the requester, already with its team; a
private IMAP server (Dovecot) and a mailbox polled from a fresh account on it."""

import pytest

from apps.mail.models import Mailbox
from apps.tickets.services import ticket_create, ticket_update

from .imap_server import PASSWORD, PrivateDovecot, dovecot_binary


@pytest.fixture
def opened(requester, lookups, team, agent, triage_team, django_capture_on_commit_callbacks):
    """A ticket as a requester opens it, moved to the agent's team; its mail already sent."""
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_create(
            requester=requester,
            subject="Till 3 freezes on loyalty cards",
            description="Every loyalty scan freezes the till for a minute.",
            **lookups,
        )
        ticket_update(ticket=ticket, actor=agent, data={"team": team})
    return ticket


def _dovecot(tls: bool):
    binary = dovecot_binary()
    if binary is None:
        pytest.skip("dovecot is not installed: apt-get install dovecot-imapd (.ci/run does)")
    server = PrivateDovecot(binary, tls=tls)
    try:
        server.start()
    except Exception:
        server.stop()
        raise
    return server


@pytest.fixture(scope="session")
def dovecot():
    """A private Dovecot on a free 127.0.0.1 port, plain IMAP (no TLS), for the session."""
    server = _dovecot(tls=False)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def dovecot_tls():
    """A private Dovecot that requires TLS (STARTTLS, or implicit on ``tls_port``), with a
    self-signed certificate in ``cert_file``."""
    server = _dovecot(tls=True)
    yield server
    server.stop()


@pytest.fixture
def imap_mailbox(dovecot, triage_team):
    """A mailbox polled from a new, empty account on the private Dovecot; its address is the
    account's, so messages to it are addressed as people would."""
    username = dovecot.add_user()
    mailbox = Mailbox(
        name=f"Desk {username}",
        address=username,
        imap_host="127.0.0.1",
        imap_port=dovecot.port,
        imap_ssl=False,
        imap_username=username,
    )
    mailbox.set_imap_password(PASSWORD)
    mailbox.save()
    return mailbox
