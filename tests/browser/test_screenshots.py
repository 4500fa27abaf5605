"""Screenshots of the key pages, with the demo data.

`make screenshots` (scripts/screenshots.sh) runs this with
SCREENSHOTS_DIR=docs/screenshots to refresh the PNGs README.md shows; in a
normal test run they go to a temporary folder and the test only checks that
every page rendered whole: status 200, every picture loaded, nothing wider
than the screen, and a PNG of the expected size.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image

from tests.browser.support import (
    BROWSER,
    DESKTOP,
    PHONE,
    broken_images,
    horizontal_overflow,
    log_in,
    seed_demo,
)

pytestmark = BROWSER


@pytest.fixture
def screenshots_dir(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("SCREENSHOTS_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_screenshots_of_the_key_pages(new_context, screenshots_dir: Path):
    demo = seed_demo()
    desktop = new_context(**DESKTOP).new_page()
    phone = new_context(**PHONE).new_page()
    couple = new_context(**DESKTOP).new_page()
    log_in(couple, demo.email, demo.password)

    # (file name, page, path, pictures expected on it, height of the shot in CSS pixels:
    # the first screen, or as much of the page as shows what it is about)
    shots = [
        ("home", desktop, "/", True, 900),
        ("pricing", desktop, "/pricing/", False, 900),
        ("registry-desktop", desktop, demo.public, True, 1800),
        ("registry-phone", phone, demo.public, True, 1800),
        ("reserve", desktop, demo.reserve, True, 1700),
        ("reservation", desktop, demo.manage, True, 1820),
        ("dashboard", couple, demo.dashboard, False, 1400),
        ("item-form", couple, demo.add_item, False, 1500),
    ]
    for name, page, path, pictures, height in shots:
        response = page.goto(path)
        assert response.status == 200, f"{name}: {path} answered {response.status}"
        assert broken_images(page) == [], f"{name}: pictures that did not load"
        if pictures:
            assert page.locator("main img, .hero img").count() > 0, f"{name}: no pictures"
        assert horizontal_overflow(page) <= 0, f"{name}: wider than the screen"
        page.evaluate("document.fonts.ready")
        width = page.viewport_size["width"]
        height = min(height, page.evaluate("document.documentElement.scrollHeight"))
        target = screenshots_dir / f"{name}.png"
        page.screenshot(
            path=target,
            full_page=True,
            clip={"x": 0, "y": 0, "width": width, "height": height},
            animations="disabled",
            caret="hide",
        )
        scale = 2 if page is phone else 1
        with Image.open(target) as png:
            assert png.size == (width * scale, height * scale)
            # Not a blank page: a real page has many colours.
            assert len(png.convert("RGB").getcolors(maxcolors=1 << 16) or range(1 << 16)) > 50


def test_screenshots_of_the_phone_dashboard_and_a_new_registry(new_context, screenshots_dir: Path):
    """The couple's dashboard on a phone, and a brand-new registry's dashboard with its checklist."""
    from tests.factories import PASSWORD, RegistryFactory, UserFactory

    demo = seed_demo()
    phone = new_context(**PHONE).new_page()
    log_in(phone, demo.email, demo.password)
    newcomer = UserFactory(email="new-couple@example.com", name="Robin")
    registry = RegistryFactory(partner_one="Robin", partner_two="Kim", welcome_message="")
    registry.owners.set([newcomer])
    fresh = new_context(**PHONE).new_page()
    log_in(fresh, newcomer.email, PASSWORD)

    for name, page, path, height in (
        ("dashboard-phone", phone, demo.dashboard, 1600),
        ("new-registry", fresh, f"/registries/{registry.slug}/", 1400),
    ):
        response = page.goto(path)
        assert response.status == 200, f"{name}: {path} answered {response.status}"
        assert broken_images(page) == [], f"{name}: pictures that did not load"
        assert horizontal_overflow(page) <= 0, f"{name}: wider than the screen"
        width = page.viewport_size["width"]
        height = min(height, page.evaluate("document.documentElement.scrollHeight"))
        target = screenshots_dir / f"{name}.png"
        page.screenshot(
            path=target,
            full_page=True,
            clip={"x": 0, "y": 0, "width": width, "height": height},
            animations="disabled",
            caret="hide",
        )
        with Image.open(target) as png:
            assert png.size == (width * 2, height * 2)
            assert len(png.convert("RGB").getcolors(maxcolors=1 << 16) or range(1 << 16)) > 50
