"""In a real browser: a requester misspells a word in the help centre's search box, sees the
articles for the word the articles use, and can still search exactly what was typed."""

import pytest

from .factories import ArticleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_misspelt_search_shows_the_corrected_results(open_page):
    ArticleFactory(title="Reset your password", summary="Get a reset link by e-mail.")
    ArticleFactory(title="Printer offline", summary="Check the cable.")

    page = open_page("/help/", viewport=(390, 844))
    page.fill("input[type=search]", "pasword")  # htmx searches as the person types
    correction = page.locator(".kb-correction")
    correction.wait_for()
    assert correction.inner_text().startswith("Showing results for password.")
    assert page.locator(".kb-hit-title").all_inner_texts() == ["Reset your password"]

    correction.locator("a").click()
    page.wait_for_url("**/help/?q=pasword&exact=1")
    assert page.locator(".kb-correction").count() == 0
    assert page.locator("input[type=search]").input_value() == "pasword"
