"""In a real browser: a ticket goes from tier 1 to Payments Engineering's tier 3 and back, its
holder staying attached and the hand-back counted."""

import pytest

from apps.tickets.models import Ticket
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def signed_in_page(open_page, user):
    page = open_page("/accounts/sign-in/", viewport=(1300, 1000))
    page.fill("input[name=username]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button.btn.primary")
    page.wait_for_load_state()
    return page


def panel(page):
    return page.locator("#tiers-panel")


@pytest.mark.django_db(transaction=True)
def test_up_to_tier_three_and_back(live_server, open_page, ticket, tier1, tier2, developer, path):
    ticket_page = f"{live_server.url}/desk/tickets/{ticket.reference}/"

    tariq = signed_in_page(open_page, tier1)
    tariq.goto(ticket_page)
    tariq.click("text=Take it")
    panel(tariq).locator("summary", has_text="Escalate").click()
    panel(tariq).locator("textarea[name=reason]").fill("Refund override needed")
    panel(tariq).locator("button", has_text="Escalate to tier 2").click()
    tariq.wait_for_selector("text=escalated to Service Desk tier 2")
    assert panel(tariq).locator(".badge.tier").inner_text() == "Tier 2"

    sofia = signed_in_page(open_page, tier2)
    sofia.goto(ticket_page)
    panel(sofia).locator("summary", has_text="Escalate").click()
    panel(sofia).locator("textarea[name=reason]").fill("Declines come from the gateway")
    panel(sofia).locator("button", has_text="Escalate to tier 3").click()
    refusal = panel(sofia).locator(".error")
    refusal.first.wait_for()
    assert "“Steps to reproduce”, “Affected order id”" in refusal.first.inner_text()
    panel(sofia).locator("textarea[name=checklist_steps]").fill("1. Pay with Visa")
    panel(sofia).locator("textarea[name=checklist_order_id]").fill("n/a")
    panel(sofia).locator("button", has_text="Escalate to tier 3").click()
    sofia.wait_for_selector("text=escalated to Payments Engineering tier 3")

    priya = signed_in_page(open_page, developer)
    priya.goto(ticket_page)
    panel(priya).locator("summary", has_text="Hand back").click()
    panel(priya).get_by_label("Affected order id").check()
    panel(priya).locator("textarea[name=note]").fill("“n/a” is not an order id")
    panel(priya).locator("button", has_text="Hand back").click()
    priya.wait_for_selector("text=handed back to Service Desk tier 2")

    tariq.goto(f"{live_server.url}/desk/tiers/held/")
    row = tariq.locator("tr", has_text=ticket.reference)
    assert "Service Desk" in row.inner_text()
    assert row.locator("td").nth(6).inner_text() == "1"  # hand-backs
    ticket.refresh_from_db()
    assert (ticket.tier, ticket.holder, ticket.assignee) == (2, tier1, None)
    assert Ticket.objects.get(pk=ticket.pk).hand_backs.get().missing == ["Affected order id"]
