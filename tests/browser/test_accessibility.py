"""axe-core finds no serious or critical problems on the key pages, and nothing overflows a phone.

axe-core comes from the npm registry (package.json pins it; `make install`
runs `npm ci`) and is injected into each page. The pages carry the demo
data (``manage.py seed_demo``): pictures, long names, reservations.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import BrowserContext, Page

from apps.registries.models import Registry
from tests.browser.support import (
    BROWSER,
    DESKTOP,
    PHONE,
    PHONE_WIDTH,
    Demo,
    axe_violations,
    log_in,
    seed_demo,
)
from tests.factories import RegistryFactory

pytestmark = BROWSER


def key_pages(demo: Demo) -> list[tuple[str, str, bool]]:
    """(name, path, as the couple?) of every page the checks cover."""
    protected = RegistryFactory(
        slug="jo-and-kim", partner_one="Jo", partner_two="Kim", privacy=Registry.Privacy.PROTECTED
    )
    return [
        ("home", "/", False),
        ("pricing", "/pricing/", False),
        ("FAQ", "/faq/", False),
        ("login", "/accounts/login/", False),
        ("signup", "/accounts/signup/", False),
        ("public registry", demo.public, False),
        ("passphrase page", f"/r/{protected.slug}/", False),
        ("reserve page", demo.reserve, False),
        ("reservation manage page", demo.manage, False),
        ("couple dashboard", demo.dashboard, True),
        ("item form (new)", demo.add_item, True),
        ("item form (edit)", demo.edit_item, True),
        ("registry form", demo.edit_registry, True),
    ]


def _visitors(new_context, demo: Demo, **options) -> dict[bool, BrowserContext]:
    """A guest's and the couple's browser; CSP bypassed because axe goes in as an inline script."""
    guest = new_context(bypass_csp=True, **options)
    couple = new_context(bypass_csp=True, **options)
    log_in(couple.new_page(), demo.email, demo.password)
    return {False: guest, True: couple}


# Guests open the registry link from their phones: axe checks their pages at phone size too.
ON_PHONES = {"home", "public registry", "passphrase page", "reserve page", "reservation manage page"}


def _too_wide(page: Page) -> tuple[int, list[str]] | None:
    """The page's width and the first elements sticking out, if it is wider than a phone."""
    width = page.evaluate("document.documentElement.scrollWidth")
    if width <= PHONE_WIDTH:
        return None
    culprits = page.evaluate(
        """(limit) => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > limit + 1)
            .slice(0, 5).map(e => e.tagName.toLowerCase() + '.' + [...e.classList].join('.'))""",
        PHONE_WIDTH,
    )
    return width, culprits


def test_on_a_desktop_axe_finds_no_serious_or_critical_violations(new_context, axe_path: Path):
    demo = seed_demo()
    tabs = {who: context.new_page() for who, context in _visitors(new_context, demo, **DESKTOP).items()}
    problems = {}
    for name, path, as_couple in key_pages(demo):
        page = tabs[as_couple]
        response = page.goto(path)
        assert response.status == 200, f"{name} ({path}) answered {response.status}"
        if found := axe_violations(page, axe_path):
            problems[name] = found
    assert problems == {}


def test_on_a_375px_phone_nothing_overflows_and_axe_finds_nothing_serious(new_context, axe_path: Path):
    demo = seed_demo()
    tabs = {who: context.new_page() for who, context in _visitors(new_context, demo, **PHONE).items()}
    too_wide, problems = {}, {}
    for name, path, as_couple in key_pages(demo):
        page = tabs[as_couple]
        response = page.goto(path)
        assert response.status == 200, f"{name} ({path}) answered {response.status}"
        if overflow := _too_wide(page):
            too_wide[name] = overflow
        if name in ON_PHONES and (found := axe_violations(page, axe_path)):
            problems[name] = found
    assert too_wide == {}
    assert problems == {}


def test_the_check_itself_catches_what_it_should(new_context, axe_path: Path):
    """An unlabelled field and pale-grey text are reported: the checks above can fail."""
    page = new_context(bypass_csp=True).new_page()
    page.set_content(
        '<!doctype html><html lang="en"><head><title>Bad</title></head><body><main>'
        '<h1>Bad</h1><p style="color:#ccc;background:#fff">Pale text</p><input type="text">'
        "</main></body></html>"
    )
    found = " ".join(axe_violations(page, axe_path))
    assert "label (critical)" in found
    assert "color-contrast (serious)" in found
    page.set_content('<!doctype html><html lang="en"><body style="margin:0"><div style="width:600px">x</div>')
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") > PHONE_WIDTH
