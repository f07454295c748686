"""The flow people use most, in a real browser: a requester opens a ticket in the portal, an
agent answers it from the workspace queue, and the requester sees the answer (not the note)."""

import re

import pytest

from apps.accounts.models import Membership
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(open_page, user):
    page = open_page("/accounts/sign-in/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_load_state()
    return page


@pytest.fixture
def triage_agent(agent, triage_team):
    """The agent also works the triage queue, where a ticket no rule claims arrives."""
    Membership.objects.create(user=agent, team=triage_team, tier=1)
    return agent


def test_a_requester_opens_a_ticket_and_an_agent_answers_it(
    open_page, requester, triage_agent, lookups, mailoutbox
):
    portal = sign_in(open_page, requester)
    portal.goto("/portal/new/")
    portal.fill("#id_subject", "Receipt printer on till 2 prints blank")
    portal.fill("#id_description", "It feeds paper but nothing is printed since this morning.")
    portal.select_option("#id_category", label=lookups["category"].name)
    portal.select_option("#id_location", label=lookups["location"].name)
    portal.click("button:has-text('Send request')")
    portal.wait_for_url(re.compile(r"/portal/tickets/SB-\d+/"))
    reference = re.search(r"SB-\d+", portal.url).group(0)
    assert "Receipt printer on till 2 prints blank" in portal.inner_text("h1")

    desk = sign_in(open_page, triage_agent)
    desk.goto("/desk/")
    desk.click(f"a:has-text('{reference}')")
    desk.wait_for_url(re.compile(rf"/desk/tickets/{reference}/"))
    reply = desk.locator("#reply")
    reply.locator("textarea").fill("Please turn the paper roll over: it is thermal paper.")
    reply.locator("button:has-text('Send')").click()
    desk.wait_for_selector("text=Please turn the paper roll over")
    reply = desk.locator("#reply")
    reply.locator("label:has-text('Internal note')").click()
    reply.locator("textarea").fill(
        "Third blank-receipt ticket this week: check the paper supplier."
    )
    reply.locator("button:has-text('Send')").click()
    desk.wait_for_selector("text=check the paper supplier")

    portal.reload()
    thread = portal.inner_text(".thread")
    assert "Please turn the paper roll over: it is thermal paper." in thread
    assert "paper supplier" not in portal.content()
    assert [m.subject for m in mailoutbox if m.to == [requester.email]] == [
        f"[{reference}] We received your request: Receipt printer on till 2 prints blank",
        f"[{reference}] Receipt printer on till 2 prints blank",
    ]
