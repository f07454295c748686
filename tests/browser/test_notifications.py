"""In a real browser: the bell names the unread count, "Mark read" works in place (htmx) and
updates the bell, a notice opens its ticket, and the e-mail settings save."""

import pytest

from apps.accounts.models import User
from apps.tickets.models import Notification
from apps.tickets.services import ticket_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def news(requester, triage_team):
    ticket = ticket_create(requester=requester, subject="Till 2 prints blank", description="x")
    return [
        Notification.objects.create(
            user=requester, ticket=ticket, kind="test", message=f"{ticket.reference}: news {n}"
        )
        for n in range(2)
    ]


def test_marking_a_notice_read_in_place_updates_the_bell(sign_in, requester, news):
    page = sign_in(requester)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    bell = page.locator("#notification-bell")
    assert bell.get_attribute("aria-label") == "Notifications, 2 unread"

    bell.click()
    page.wait_for_url("**/notifications/")
    url = page.url
    first = page.locator(f"#notice-{news[0].pk}")
    first.get_by_role("button", name="Mark read").click()

    page.wait_for_selector(f"#notice-{news[0].pk}:not(.unread)")
    assert page.url == url  # swapped in place, no reload
    assert bell.get_attribute("aria-label") == "Notifications, 1 unread"
    assert page.locator(".bell-count").inner_text() == "1"
    assert not errors, errors  # nothing refused by the Content-Security-Policy

    page.locator(f"#notice-{news[1].pk} a").click()
    page.wait_for_url(f"**/portal/tickets/{news[1].ticket.reference}/")
    assert page.locator("#notification-bell").get_attribute("aria-label") == "Notifications"


def test_email_settings_save(sign_in, requester):
    page = sign_in(requester)
    page.get_by_role("link", name="E-mail settings").click()
    page.get_by_label("A reply on my request, or on a request I follow").uncheck()
    page.get_by_role("button", name="Save").click()

    page.wait_for_selector("text=Your e-mail settings are saved.")
    assert not page.get_by_label("A reply on my request, or on a request I follow").is_checked()
    assert User.objects.get(pk=requester.pk).mail_opt_outs == ["mail.request_reply"]
