"""A phone held upright (390 by 844 px): the pages requesters, collaborators and visitors use fit
the screen without sideways scrolling, and the header folds into a menu that still reaches
"Sign out" — by tap and by keyboard."""

import os
import re

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = (390, 844)


def assert_fits(page, path):
    page.goto(path)
    page.wait_for_load_state("networkidle")
    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    folder = os.environ.get("SCREENSHOT_DIR")  # to look at the pages: SCREENSHOT_DIR=/tmp/x
    if folder:
        name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
        page.screenshot(path=os.path.join(folder, f"phone-{name}.png"), full_page=True)
    assert scroll_width <= inner_width, (
        f"{path} scrolls sideways on a phone: {scroll_width}px of content in {inner_width}px"
    )


def assert_sign_out_in_menu(page):
    """The header shows a Menu button, not the links; opening it brings "Sign out" on screen."""
    toggle = page.get_by_role("button", name="Menu")
    sign_out = page.get_by_role("button", name="Sign out")
    assert toggle.is_visible()
    assert not sign_out.is_visible(), "the header should fold its links behind the menu"
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert sign_out.is_visible()
    box = sign_out.bounding_box()
    assert box["x"] >= 0, f"Sign out is off screen: {box}"
    assert box["x"] + box["width"] <= PHONE[0], f"Sign out is off screen: {box}"
    toggle.click()
    assert not sign_out.is_visible()


def test_the_sign_in_page_and_help_centre_fit_a_phone(open_page, desk):
    page = open_page("/accounts/sign-in/", viewport=PHONE)
    for path in (
        "/accounts/sign-in/",
        "/help/",
        "/help/?q=terminal",
        f"/help/{desk.article.slug}/",
    ):
        assert_fits(page, path)
    assert page.get_by_role("banner").get_by_role("link", name="Sign in").is_visible()


def test_the_requester_portal_fits_a_phone(sign_in, desk):
    page = sign_in(desk.requester, viewport=PHONE)
    for path in (
        "/portal/",
        "/portal/new/",
        f"/portal/tickets/{desk.ticket.reference}/",
        "/help/",
        f"/help/{desk.article.slug}/",
    ):
        assert_fits(page, path)
        assert_sign_out_in_menu(page)
    # The list is a card per request on a phone: its cells stack, each value saying what it is.
    page.goto("/portal/")
    reference = page.locator("table.portal-list td.ref").first.bounding_box()
    status = page.locator("table.portal-list td[data-label=Status]").first.bounding_box()
    assert status["y"] >= reference["y"] + reference["height"] - 1
    assert abs(status["x"] - reference["x"]) < 1


def test_the_collaborator_pages_fit_a_phone(sign_in, desk):
    page = sign_in(desk.collaborator, viewport=PHONE)
    for path in ("/tasks/mine/", f"/tasks/task/{desk.subtask.pk}/"):
        assert_fits(page, path)
        assert_sign_out_in_menu(page)


def test_agent_pages_do_not_scroll_sideways_on_a_phone(sign_in, desk):
    """Agents work at a desk, but a glance from a phone must not break the page: wide tables
    scroll inside their own box."""
    page = sign_in(desk.agent, viewport=PHONE)
    for path in ("/desk/", f"/desk/tickets/{desk.ticket.reference}/"):
        assert_fits(page, path)
        assert_sign_out_in_menu(page)


def test_the_phone_menu_works_from_the_keyboard(sign_in, desk):
    page = sign_in(desk.requester, viewport=PHONE)
    page.goto("/portal/")
    toggle = page.locator(".menu-toggle")
    page.keyboard.press("Tab")  # first stop: the way past the header, shown once focused
    skip = page.get_by_role("link", name="Skip to content")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.bounding_box()["y"] >= 0
    for _ in range(4):  # the brand, then the menu
        page.keyboard.press("Tab")
        if toggle.evaluate("el => el === document.activeElement"):
            break
    else:
        raise AssertionError("Tab never reached the Menu button")
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#site-menu') !== null")
    assert page.get_by_role("button", name="Sign out").is_visible()
    assert page.locator("#site-menu [aria-current=page]").inner_text() == "My requests"
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert toggle.evaluate("el => el === document.activeElement")


def test_the_reports_menu_opens_from_the_keyboard(sign_in, desk):
    """On a desk-sized screen the leads' Reports list is a drop-down: Enter opens it, Escape
    closes it and gives focus back to it."""
    page = sign_in(desk.lead)
    summary = page.locator("details.nav-menu > summary")
    for _ in range(20):
        page.keyboard.press("Tab")
        if summary.evaluate("el => el === document.activeElement"):
            break
    else:
        raise AssertionError("Tab never reached the Reports menu")
    page.keyboard.press("Enter")
    first_report = page.locator(".nav-menu-items a").first
    assert first_report.is_visible()
    page.keyboard.press("Tab")
    assert first_report.evaluate("el => el === document.activeElement")
    page.keyboard.press("Escape")
    assert not first_report.is_visible()
    assert summary.evaluate("el => el === document.activeElement")
