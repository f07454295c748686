"""Browser tests use the ``browser`` and ``open_page`` fixtures of the root conftest.

``desk`` is a small desk seen from every role's side (the phone-width and accessibility tests
walk its pages); ``sign_in`` opens a fresh browser session signed in as someone.
"""

from types import SimpleNamespace

import pytest

from apps.accounts.models import Membership
from apps.subtasks.models import SubtaskKind
from apps.subtasks.services import subtask_create
from apps.tickets.services import comment_add, ticket_create, ticket_update
from tests.factories import PASSWORD, UserFactory
from tests.knowledge.factories import ArticleFactory

# What breaks a phone layout: a word longer than the screen and a URL nobody shortened.
LONG_WORD = "ERR_POS_TERMINAL_HANDSHAKE_REFUSED_0x8007045D_STORE112_TILL2"
LONG_URL = "https://intranet.example.com/stores/112/tills/2/diagnostics/logs/2026-11-30/terminal-handshake-failure-report.txt"


@pytest.fixture
def sign_in(open_page):
    """A browser session of its own, signed in as ``user`` through the sign-in form."""

    def sign_in(user, viewport=(1280, 800)):
        page = open_page("/accounts/sign-in/", viewport=viewport)
        page.fill("#id_username", user.email)
        page.fill("#id_password", PASSWORD)
        page.click("button:has-text('Sign in')")
        page.wait_for_load_state()
        assert "/accounts/sign-in/" not in page.url, f"{user.email} could not sign in"
        return page

    return sign_in


@pytest.fixture
def desk(team, triage_team, agent, lead, requester, admin_user):
    """A requester's ticket worked by the Service Desk, with a subtask for a collaborator, a
    ticket waiting in triage, and a published article; long words everywhere they can be."""
    Membership.objects.create(user=agent, team=triage_team, tier=1)
    ticket = ticket_create(
        requester=requester,
        subject=f"Card terminal shows {LONG_WORD} on every payment",
        description=f"The log is at {LONG_URL} and it fills up every few minutes.",
    )
    ticket_update(ticket=ticket, actor=agent, data={"team": team, "assignee": agent})
    comment_add(
        ticket=ticket, author=agent, body=f"Please send a photo of the screen. See {LONG_URL}"
    )
    triaged = ticket_create(
        requester=requester, subject="Shelf label printer jams", description="Every label."
    )
    collaborator = UserFactory(email="olga.ops@example.com", full_name="Olga Petrova")
    kind, _ = SubtaskKind.objects.get_or_create(name="Workaround", defaults={"order": 10})
    subtask = subtask_create(
        ticket=ticket,
        actor=agent,
        title=f"Restart the payment gateway for {LONG_WORD}",
        kind=kind,
        instructions=f"Follow the runbook at {LONG_URL} and tell us when it is back.",
        assignee_user=collaborator,
    )
    article = ArticleFactory(
        title="Card terminal refuses every card",
        slug="card-terminal-refuses-every-card",
        summary="Restart the terminal, then check the network cable.",
        body=f"1. Hold the red key for ten seconds.\n2. If `{LONG_WORD}` stays, read {LONG_URL}.",
    )
    return SimpleNamespace(
        ticket=ticket,
        triaged=triaged,
        subtask=subtask,
        article=article,
        requester=requester,
        collaborator=collaborator,
        agent=agent,
        lead=lead,
        admin=admin_user,
    )
