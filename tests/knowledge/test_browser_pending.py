"""In a real browser: an agent's edit of a published article waits for a lead, who reads the diff
on the pending-changes page and approves it; only then do readers see it."""

import pytest

from apps.knowledge.models import Audience, Revision
from tests.factories import PASSWORD

from .factories import ArticleFactory

pytestmark = pytest.mark.browser


def signed_in_page(open_page, user):
    page = open_page("/accounts/sign-in/", viewport=(1300, 1000))
    page.fill("input[name=username]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button.btn.primary")
    page.wait_for_load_state()
    return page


@pytest.mark.django_db(transaction=True)
def test_an_agents_change_waits_for_the_lead(open_page, agent, lead, tmp_path):
    article = ArticleFactory(
        title="Connect to the VPN",
        slug="vpn",
        body="Open **GlobalConnect** and sign in.\n\nIf it drops, restart the client.",
        audience=Audience.PUBLIC,
    )
    Revision.objects.create(
        article=article, number=1, title=article.title, body=article.body, author=agent
    )

    alex = signed_in_page(open_page, agent)
    alex.goto(f"/desk/knowledge/{article.pk}/")
    alex.fill("textarea[name=body]", "Open **Zscaler** and sign in.\n\nIf it drops, restart it.")
    alex.fill("input[name=note]", "We moved to Zscaler")
    alex.locator("button", has_text="Submit for approval").click()
    alex.wait_for_selector("text=Your change awaits a lead's approval")
    alex.screenshot(path=str(tmp_path / "agent-editor.png"), full_page=True)
    alex.goto("/help/vpn/")
    assert "GlobalConnect" in alex.content()

    lee = signed_in_page(open_page, lead)
    lee.goto("/desk/knowledge/pending/")
    lee.wait_for_selector(".kb-diff")
    assert "+Open **Zscaler** and sign in." in lee.locator(".kb-diff").inner_text()
    lee.screenshot(path=str(tmp_path / "pending-changes.png"), full_page=True)
    lee.locator("button", has_text="Approve and publish").click()
    lee.wait_for_selector("text=No changes await your approval")
    alex.goto("/help/vpn/")
    assert "Zscaler" in alex.content()
