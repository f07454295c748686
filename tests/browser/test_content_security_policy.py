"""Production's Content-Security-Policy, in a real browser: the pages people use most — signing
in, resetting a password, the help centre's live search, the queue and a ticket (htmx), the
admin, the API docs — run under it without a single violation.

The live server runs the test settings, so the policy is added to every response on its way to
the browser, exactly as production's middleware writes it.
"""

import os
import re

import pytest
from csp.utils import build_policy

from apps.accounts.models import Membership
from tests.factories import PASSWORD
from tests.knowledge.factories import ArticleFactory
from tests.tickets.api_support import queued_ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def production_policy() -> str:
    from config.settings import production

    return build_policy(config=production.CONTENT_SECURITY_POLICY["DIRECTIVES"])


@pytest.fixture
def strict_page(open_page):
    """open_page, with the production policy on every response and its violations collected."""
    policy = production_policy()
    violations = []

    def with_policy(route):
        response = route.fetch()
        headers = {**response.headers, "content-security-policy": policy}
        route.fulfill(response=response, headers=headers)

    def open_strict(path="/", **kwargs):
        page = open_page("about:blank", **kwargs)
        page.route("**/*", with_policy)
        page.on(
            "console",
            lambda message: (
                violations.append(f"{page.url}: {message.text}")
                if "Content Security Policy" in message.text
                else None
            ),
        )
        page.goto(path)
        return page

    open_strict.violations = violations
    return open_strict


def sign_in(page, user):
    page.goto("/accounts/sign-in/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Sign in')")
    page.wait_for_load_state()


def shoot(page, name):
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


def test_public_pages_run_under_the_policy(strict_page, vpn_article):
    page = strict_page("/accounts/sign-in/")
    assert page.is_visible("text=Forgot your password?")
    shoot(page, "sign-in")
    page.click("text=Forgot your password?")
    page.wait_for_url(re.compile(r"/accounts/password/reset/"))
    shoot(page, "password-reset")
    page.fill("#id_email", "someone@example.com")
    page.click("button:has-text('Send me a reset link')")
    page.wait_for_selector("text=Check your e-mail")
    shoot(page, "password-reset-sent")

    page.goto("/help/")
    page.fill("input[name=q]", "vpn")
    page.wait_for_selector(f"a:has-text('{vpn_article.title}')")  # htmx live search
    page.click(f"a:has-text('{vpn_article.title}')")
    page.wait_for_selector("text=Did this help?")
    page.check("input[name=helpful][value=yes]")
    page.click("button:has-text('Send feedback')")
    page.wait_for_selector("text=Thank you!")  # answered in place by htmx

    assert strict_page.violations == []


def test_the_desk_admin_and_api_docs_run_under_the_policy(
    strict_page, agent, team, requester, admin_user
):
    ticket = queued_ticket(requester, team)
    page = strict_page("/")
    sign_in(page, agent)
    page.goto("/desk/")
    page.wait_for_selector(f"text={ticket.reference}")
    page.click(f"a:has-text('{ticket.reference}')")
    page.wait_for_url(re.compile(rf"/desk/tickets/{ticket.reference}/"))
    page.wait_for_load_state("networkidle")
    shoot(page, "ticket")

    admin = strict_page("/")
    sign_in(admin, admin_user)
    for path in ("/admin/", "/admin/routing/rule/add/", "/admin/accounts/user/"):
        admin.goto(path)
        admin.wait_for_load_state("networkidle")
    admin.goto("/api/docs/")
    admin.wait_for_selector(".swagger-ui .info")  # drawn by the script file
    shoot(admin, "api-docs")

    assert strict_page.violations == []


@pytest.fixture
def vpn_article(db):
    return ArticleFactory(
        title="Connect to the VPN from home",
        slug="connect-to-the-vpn-from-home",
        body="Open **GlobalConnect** and sign in.",
    )


@pytest.fixture
def agent(team):
    from tests.factories import agent_of

    user = agent_of(team, email="agent@example.com", full_name="Alex Agent")
    Membership.objects.filter(user=user).update(tier=1)
    return user
