"""The workspace by keyboard: j/k and Enter in the queue, r/n/e/? on the ticket page."""

import re

import pytest

from apps.tickets.services import ticket_create
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(open_page, user):
    page = open_page("/accounts/sign-in/", viewport=(1280, 900))
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_load_state()
    return page


def test_an_agent_works_the_queue_and_a_ticket_by_keyboard(open_page, agent, team, requester):
    tickets = []
    for subject in ("Till 1 offline", "Till 2 offline", "Till 3 offline"):
        ticket = ticket_create(requester=requester, subject=subject, description="Dead.")
        ticket.team = team
        ticket.save(update_fields=["team"])
        tickets.append(ticket)
    page = sign_in(open_page, agent)
    page.goto("/desk/")
    assert page.locator(".shortcut-hint").inner_text() == "? for shortcuts"

    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    page.keyboard.press("j")
    current = page.locator("tr.kb-current")
    assert current.count() == 1
    reference = current.locator("td.ref a").inner_text()
    assert reference == tickets[1].reference  # the newest first: Till 3, Till 2, Till 1
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/desk/tickets/{reference}/"))

    page.keyboard.press("n")
    assert page.locator("#reply input[value=internal]").is_checked()
    assert page.evaluate("document.activeElement.name") == "body"
    page.keyboard.type("nothing here is a shortcut: r n e ?")
    assert page.locator("#reply input[value=internal]").is_checked()
    assert not page.locator("#shortcuts-help").is_visible()
    page.locator("#reply textarea").fill("")
    page.locator("h1").click()
    page.keyboard.press("r")
    assert page.locator("#reply input[value=public]").is_checked()

    page.locator("h1").click()
    page.keyboard.press("?")
    help_dialog = page.locator("#shortcuts-help")
    assert help_dialog.is_visible()
    assert "Write an internal note" in help_dialog.inner_text()
    page.keyboard.press("Escape")
    assert not help_dialog.is_visible()

    page.keyboard.press("e")
    assert (
        page.locator("#tiers-panel details[data-shortcut=escalate]").get_attribute("open")
        is not None
    )
    assert page.locator("#tiers-panel textarea[name=reason]").is_visible()
