"""An agent's tools in a real browser: a macro picked with the keyboard in the reply box, and a
saved view of the queue."""

import re

import pytest

from apps.macros.models import Macro, Scope
from apps.tickets.models import Priority, SavedView, Status
from tests.factories import TicketFactory

from .test_requester_and_agent import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_agent_answers_with_a_macro_picked_with_the_keyboard(open_page, agent, team, requester):
    ticket = TicketFactory(team=team, requester=requester, status=Status.OPEN, subject="No VPN")
    Macro.objects.create(
        name="Need more information",
        body="Hi {{ requester.first_name }},\n\nWhat do you see on {{ ticket.reference }}?\n\n"
        "{{ agent.first_name }}",
        scope=Scope.GLOBAL,
        set_priority=Priority.HIGH,
    )
    Macro.objects.create(name="Thanks", body="Thanks!", scope=Scope.TEAM, team=team)
    desk = sign_in(open_page, agent)
    desk.goto(f"/desk/tickets/{ticket.reference}/")
    box = desk.locator("#reply textarea[name=body]")

    box.click()
    box.press("/")
    listbox = desk.locator("#macro-list")
    listbox.get_by_role("option", name=re.compile("Thanks")).wait_for()
    assert listbox.get_by_role("option").count() == 2
    box.press_sequentially("need")
    desk.wait_for_function("document.querySelectorAll('#macro-list [role=option]').length === 1")
    box.press("ArrowDown")  # one option: the highlight stays on it
    box.press("Enter")

    assert listbox.is_hidden()
    text = box.input_value()
    assert text == f"Hi Rita,\n\nWhat do you see on {ticket.reference}?\n\nAlex"
    assert "Priority → High" in desk.inner_text(".macro-chosen")
    desk.locator("#reply button:has-text('Send')").click()
    desk.wait_for_selector(f"text=What do you see on {ticket.reference}?")

    ticket.refresh_from_db()
    assert ticket.priority == Priority.HIGH
    assert ticket.comments.get().body == text


def test_escape_closes_the_picker_and_keeps_the_text(open_page, agent, team, requester):
    ticket = TicketFactory(team=team, requester=requester, status=Status.OPEN)
    Macro.objects.create(name="Thanks", body="Thanks!", scope=Scope.GLOBAL)
    desk = sign_in(open_page, agent)
    desk.goto(f"/desk/tickets/{ticket.reference}/")
    box = desk.locator("#reply textarea[name=body]")

    box.fill("Line one\n")
    box.press("End")
    box.press_sequentially("/tha")
    desk.locator("#macro-list [role=option]").first.wait_for()
    box.press("Escape")

    assert desk.locator("#macro-list").is_hidden()
    assert box.input_value() == "Line one\n/tha"
    assert desk.locator("input[name=macro]").input_value() == ""


def test_an_agent_saves_the_queue_filters_as_a_view(open_page, agent, team):
    TicketFactory(team=team, priority=Priority.URGENT, subject="Store offline")
    TicketFactory(team=team, priority=Priority.LOW, subject="Mouse squeaks")
    desk = sign_in(open_page, agent)
    desk.goto("/desk/")
    desk.select_option("#id_priority", str(Priority.URGENT))
    desk.wait_for_url(re.compile(r"priority=4"))

    desk.click("summary:has-text('Save view')")
    desk.fill("#saved-view-name", "On fire")
    desk.click(".save-view-form button:has-text('Save')")
    desk.wait_for_selector("a.view-chip.active:has-text('On fire')")

    view = SavedView.objects.get(user=agent)
    assert "priority=4" in view.query
    desk.goto("/desk/")
    assert "Mouse squeaks" in desk.inner_text("#queue-results")
    desk.click("a.view-chip:has-text('On fire')")
    desk.wait_for_selector("a.view-chip.active:has-text('On fire')")
    assert "Mouse squeaks" not in desk.inner_text("#queue-results")
    assert "Store offline" in desk.inner_text("#queue-results")
