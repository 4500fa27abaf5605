"""Fixtures of the browser tests: Debian's chromium driven by Playwright against the live server.

Every browser context a test opens goes through ``new_context``, which

- lets requests to 127.0.0.1/localhost through and aborts and records every
  other one; a test that made any fails at teardown (no fonts, scripts or
  images from other sites, ever);
- records uncaught JavaScript errors and whatever the Content-Security-Policy
  blocked, which fail the test the same way;
- after a failure, keeps a screenshot of every open page in test-results/.

The live server runs in a thread of this process on the real PostgreSQL test
database, so the tests use transactional databases; ``serialized_rollback``
puts back what the data migrations created (the plans, the switches) that
the flush after each test removes. The browser tests run after all others
(``pytest_collection_modifyitems`` below) so that nothing sees that flush.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an asyncio event loop in the test's thread, and
# Django refuses ORM calls from a thread with a running loop (it cannot tell
# that the loop is idle while we wait for the browser). The tests' own ORM
# calls are plain synchronous code, so the check is switched off here only.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import Browser, BrowserContext, Playwright, sync_playwright

from tests.browser.support import DESKTOP, Guard

CHROMIUM = os.environ.get("WHISPER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # root in a container: chromium's sandbox would refuse to start
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-results" / "browser"
# How long a click or a navigation may take before the test fails (ms).
TIMEOUT_MS = 15_000


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the browser tests last: their transactional flush empties the tables."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call):
    """Remember each phase's report on the test, so fixtures can tell whether it failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    """One chromium for the whole run (Debian's; never ``playwright install``)."""
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run `make system` (it installs Debian's chromium).")
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(autouse=True)
def _browser_site(settings, live_server) -> None:
    """The live server serves uploads, and mails link to it."""
    settings.ROOT_URLCONF = "tests.browser.urls"
    settings.SITE_URL = live_server.url


@pytest.fixture
def new_context(
    browser: Browser, live_server, request: pytest.FixtureRequest
) -> Iterator[Callable[..., BrowserContext]]:
    """Open a browser context (a separate visitor) on the live server: ``new_context(**PHONE)``.

    Keyword arguments go to ``browser.new_context``. At teardown the test
    fails if any page of any context asked for something outside 127.0.0.1,
    threw a JavaScript error, or had something blocked by the
    Content-Security-Policy.
    """
    guard = Guard()
    contexts: list[BrowserContext] = []

    def make(**kwargs) -> BrowserContext:
        options = {**DESKTOP, **kwargs}
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        context.route("**/*", guard.route)
        context.on("page", guard.watch)
        contexts.append(context)
        return context

    yield make
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        _save_pages(contexts, request.node.name)
    for context in contexts:
        context.close()
    assert guard.external == [], f"pages asked for resources outside 127.0.0.1: {guard.external}"
    assert guard.js_errors == [], f"JavaScript errors: {guard.js_errors}"
    assert guard.csp_violations == [], f"blocked by the Content-Security-Policy: {guard.csp_violations}"


def _save_pages(contexts: list[BrowserContext], test_name: str) -> None:
    """After a failure: a screenshot of every open page, in test-results/ (git-ignored)."""
    folder = ARTIFACTS / "".join(c if c.isalnum() or c in "-_." else "_" for c in test_name)
    folder.mkdir(parents=True, exist_ok=True)
    for n, page in enumerate(p for context in contexts for p in context.pages):
        try:
            page.screenshot(path=folder / f"page-{n}.png", full_page=True)
            (folder / f"page-{n}.html").write_text(page.content())
        except Exception as exc:  # a closed or crashed page: keep going
            (folder / f"page-{n}.txt").write_text(f"{page.url}: {exc}")


@pytest.fixture(scope="session")
def axe_path() -> Path:
    """axe-core, installed from the npm registry by `make install` (package-lock.json pins it)."""
    path = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
    if not path.is_file():
        pytest.fail(f"{path} is missing: run `make install` (it runs `npm ci`).")
    return path
