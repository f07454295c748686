"""Suite-wide pytest plumbing: browser tests run only where a browser is, and say so loudly.

Browser tests (marked ``browser``) drive Debian's Chromium through Playwright. Where Chromium or
Playwright is missing they are skipped, and the report header and the final summary say why, so
a green run without them never passes for a complete one. ``CHROMIUM`` overrides the path.
"""

import importlib.util
import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def browser_missing() -> str:
    """Why browser tests cannot run here, or "" when they can."""
    if importlib.util.find_spec("playwright") is None:
        return "Playwright is not installed (pip install -r requirements/dev.txt)"
    if not (os.access(CHROMIUM, os.X_OK) or shutil.which(CHROMIUM)):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium, or set CHROMIUM=…)"
    return ""


def pytest_report_header(config):
    reason = browser_missing()
    if reason:
        return f"browser tests: SKIPPED, {reason}"
    return f"browser tests: Chromium at {CHROMIUM}"


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        skip_pg = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
        for item in items:
            if "postgresql" in item.keywords:
                item.add_marker(skip_pg)
    reason = browser_missing()
    if not reason:
        return
    skip = pytest.mark.skip(reason=f"browser test skipped: {reason}")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if "browser" in getattr(report, "keywords", {})
    ]
    if skipped:
        terminalreporter.write_sep(
            "!",
            f"{len(skipped)} BROWSER TEST(S) SKIPPED: {browser_missing() or 'see reasons above'}",
            red=True,
            bold=True,
        )
    worker_skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if "worker" in getattr(report, "keywords", {})
    ]
    if worker_skipped:
        terminalreporter.write_sep(
            "!",
            f"{len(worker_skipped)} CELERY WORKER TEST(S) SKIPPED: set REDIS_URL to run them",
            yellow=True,
            bold=True,
        )


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole run. Playwright's sync API keeps an event loop running while
    it is open, so every browser test must share this one rather than start its own."""
    # The loop runs in the test thread; Django would otherwise refuse the test's database work.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser, live_server):
    """A fresh browser session (its own cookies) at a path of the live server."""
    from django.db import connections

    contexts = []

    def open_page(path: str = "/", viewport=(1280, 800)):
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": viewport[0], "height": viewport[1]}
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.goto(path)
        return page

    yield open_page
    for context in contexts:
        context.close()
    # While Playwright's loop runs, Django keys connections by context rather than thread:
    # close the ones the test opened, or they outlive the test database.
    connections.close_all()
