"""Nothing leaves 127.0.0.1: every font, script, stylesheet and picture is served by us.

Every context of every browser test routes its requests through a guard
(tests/browser/conftest.py) that fails the test on any request to another
host. Here a crawler follows the links of the site as a visitor, a guest
and the couple, so every kind of page is loaded at least once; and a test
of the guard itself shows that it would notice.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from playwright.sync_api import Browser, Page
from playwright.sync_api import Error as PlaywrightError

from apps.accounts.models import User
from apps.registries.models import Registry
from tests.browser.support import BROWSER, LOCAL_HOSTS, Guard, log_in, seed_demo
from tests.factories import RegistryFactory

pytestmark = BROWSER

PAGES_PER_VISITOR = 40
# Not pages: downloads, the admin, staff reports, and links that end a session.
SKIP = re.compile(r"^/(admin|staff)/|\.csv$|/logout/")
# What a page's markup makes the browser fetch (links to stores and forms to PayPal are not fetched).
RESOURCES = """[
    ...[...document.querySelectorAll('link[rel~=stylesheet], link[rel~=icon], link[rel~=preload], '
        + 'link[rel~=modulepreload], link[rel~=manifest]')].map(e => e.href),
    ...[...document.querySelectorAll('script[src], img[src], iframe[src], video[src], audio[src], '
        + 'source[src]')].map(e => e.src),
    ...[...document.querySelectorAll('[srcset]')].flatMap(e => e.srcset.split(',')
        .map(s => new URL(s.trim().split(' ')[0], document.baseURI).href)),
]"""


def _kind(path: str) -> str:
    """Pages that differ only by ids count once (/items/12/edit/ ~ /items/13/edit/)."""
    return re.sub(r"\d+", "N", path)


def _external(urls: list[str]) -> list[str]:
    return [
        u for u in urls if urlsplit(u).scheme in ("http", "https") and urlsplit(u).hostname not in LOCAL_HOSTS
    ]


def crawl(page: Page, start: list[str]) -> dict[str, tuple[int, list[str]]]:
    """Open ``start`` and the same-site pages they link to.

    Returns, for each page, its status and the resources on other hosts its markup points at.
    """
    seen: dict[str, tuple[int, list[str]]] = {}
    kinds: set[str] = set()
    queue = list(start)
    while queue and len(seen) < PAGES_PER_VISITOR:
        path = queue.pop(0)
        if _kind(path) in kinds or SKIP.search(urlsplit(path).path):
            continue
        kinds.add(_kind(path))
        try:
            response = page.goto(path)
        except PlaywrightError as exc:
            if "Download is starting" in exc.message:  # a file (an export), not a page
                continue
            raise
        seen[path] = (response.status, _external(page.evaluate(RESOURCES)))
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            url = urlsplit(urljoin(page.url, href))
            if url.scheme in ("http", "https") and url.hostname in LOCAL_HOSTS:
                queue.append(url.path)
    return seen


def test_no_page_asks_for_anything_outside_127_0_0_1(new_context):
    demo = seed_demo()
    owner = User.objects.get(email=demo.email)
    # A second registry of the couple's: protected (the passphrase page) and on Free (the upgrade page).
    second = RegistryFactory(slug="alex-and-sam-at-home", owners=[owner], privacy=Registry.Privacy.PROTECTED)
    visitor = new_context().new_page()
    couple = new_context().new_page()
    log_in(couple, demo.email, demo.password)

    public = [demo.public, f"{demo.public}?available=on&sort=price", f"/r/{second.slug}/", "/search/?q=alex"]
    pages = {
        **crawl(visitor, ["/", *public, demo.reserve, demo.manage]),
        **crawl(couple, [demo.dashboard, f"/registries/{second.slug}/upgrade/", "/registries/new/"]),
    }
    assert len(pages) >= 15, f"the crawl found too few pages: {sorted(pages)}"
    assert {path: status for path, (status, _) in pages.items() if status >= 500} == {}
    assert {path: found for path, (_, found) in pages.items() if found} == {}


def test_the_guard_notices_a_request_to_another_host(browser: Browser):
    """A font or a picture from elsewhere is blocked and recorded (so the checks can fail)."""
    guard = Guard()
    context = browser.new_context()
    context.route("**/*", guard.route)
    page = context.new_page()
    guard.watch(page)
    page.set_content(
        '<link rel="stylesheet" href="https://fonts.example.com/css?family=Lora">'
        '<img src="http://cdn.example.net/pixel.png" alt="">'
    )
    page.wait_for_function("() => [...document.images].every(i => i.complete)")
    assert sorted(guard.external) == [
        "http://cdn.example.net/pixel.png",
        "https://fonts.example.com/css?family=Lora",
    ]

    # A page of ours with an inline style under a strict policy, and a script that throws.
    page.route(
        "http://127.0.0.1:9/strict",
        lambda route: route.fulfill(
            content_type="text/html",
            headers={"Content-Security-Policy": "style-src 'self'"},
            body='<p style="color: red">Inline</p><script>throw new Error("boom")</script>',
        ),
    )
    page.goto("http://127.0.0.1:9/strict")
    for _ in range(50):  # console messages and errors arrive as events: give them a moment
        if guard.csp_violations and guard.js_errors:
            break
        page.wait_for_timeout(50)
    context.close()
    assert len(guard.csp_violations) == 1 and "style-src" in guard.csp_violations[0]
    assert len(guard.js_errors) == 1 and "boom" in guard.js_errors[0]
