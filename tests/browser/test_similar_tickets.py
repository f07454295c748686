"""The ticket page's "Similar tickets" section arrives once it is in view, and merges from it."""

import pytest

from apps.tickets.services import ticket_create
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def queued(requester, team, subject):
    ticket = ticket_create(requester=requester, subject=subject, description="Dead.")
    ticket.team = team
    ticket.save(update_fields=["team"])
    return ticket


def test_the_similar_section_loads_in_view_and_merges(open_page, agent, team, requester):
    kept = queued(requester, team, "Till 4 will not start")
    duplicate = queued(requester, team, "Till 4 will not start after update")
    page = open_page("/accounts/sign-in/", viewport=(1280, 900))
    page.fill("#id_username", agent.email)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_load_state()
    page.goto(f"/desk/tickets/{duplicate.reference}/")

    section = page.locator("details[data-fold=similar]")
    section.scroll_into_view_if_needed()
    merge = section.get_by_role("button", name=f"Merge this ticket into {kept.reference}")
    merge.wait_for()
    assert "{#" not in page.locator("body").inner_text()  # no template text leaks
    merge.click()
    page.wait_for_url(f"**/desk/tickets/{kept.reference}/")

    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == kept.pk
