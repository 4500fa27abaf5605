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
from django.urls import reverse
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


def test_screenshot_of_the_installed_app_at_launch(new_context, screenshots_dir: Path):
    """What the home-screen icon opens: the manifest's start_url, on a phone, without browser chrome.

    Chromium here cannot emulate ``display-mode: standalone`` (neither
    Playwright nor the DevTools protocol offer it), so the shot is the
    start page at the phone's full window, as the standalone app shows it.
    """
    demo = seed_demo()
    phone = new_context(**PHONE, color_scheme="light").new_page()
    log_in(phone, demo.email, demo.password)
    manifest = phone.request.get("/manifest.webmanifest").json()
    assert manifest["display"] == "standalone"

    response = phone.goto(manifest["start_url"])

    assert response.status == 200
    assert phone.locator('meta[name="theme-color"]').get_attribute("content") == manifest["theme_color"]
    assert broken_images(phone) == []
    assert horizontal_overflow(phone) <= 0
    phone.evaluate("document.fonts.ready")
    target = screenshots_dir / "app-launch.png"
    phone.screenshot(path=target, animations="disabled", caret="hide")
    with Image.open(target) as png:
        assert png.size == (PHONE["viewport"]["width"] * 2, PHONE["viewport"]["height"] * 2)
        assert len(png.convert("RGB").getcolors(maxcolors=1 << 16) or range(1 << 16)) > 50


def test_screenshot_of_a_new_registry_in_the_browsers_time_zone(new_context, screenshots_dir: Path):
    """The registry form on a phone in Auckland: the time zone chooser starts at the browser's zone."""
    demo = seed_demo()
    page = new_context(**PHONE, timezone_id="Pacific/Auckland").new_page()
    log_in(page, demo.email, demo.password)

    response = page.goto(reverse("registries:create"))

    assert response.status == 200
    assert page.locator("select[name=time_zone]").input_value() == "Pacific/Auckland"
    assert horizontal_overflow(page) <= 0
    width, height = page.viewport_size["width"], 1500
    target = screenshots_dir / "registry-form.png"
    page.screenshot(
        path=target,
        full_page=True,
        clip={"x": 0, "y": 0, "width": width, "height": height},
        animations="disabled",
        caret="hide",
    )
    with Image.open(target) as png:
        assert png.size == (width * 2, height * 2)


# A link preview as a chat app draws it, from the page's Open Graph tags alone.
PREVIEW_PAGE = """<!doctype html><meta charset="utf-8"><title>Link previews</title>
<style>
  body {{ margin: 0; padding: 24px; background: #e5ddd5; font: 15px/1.35 system-ui, sans-serif; }}
  .row {{ display: flex; gap: 24px; flex-wrap: wrap; }}
  .bubble {{ width: 360px; background: #dcf8c6; border-radius: 10px; padding: 6px; }}
  .card {{ background: #0000000d; border-radius: 8px; overflow: hidden; }}
  .card img {{ display: block; width: 100%; aspect-ratio: 1200 / 630; object-fit: cover; }}
  .text {{ padding: 8px 10px; }}
  .title {{ font-weight: 600; }}
  .desc {{ color: #555; font-size: 13px; margin-top: 2px; }}
  .site {{ color: #888; font-size: 12px; margin-top: 4px; }}
  .url {{ color: #027eb5; padding: 6px 4px 2px; word-break: break-all; }}
</style>
<div class="row">{bubbles}</div>"""
BUBBLE = """<div class="bubble"><div class="card"><img src="{image}" alt="">
<div class="text"><div class="title">{title}</div><div class="desc">{description}</div>
<div class="site">{site}</div></div></div><div class="url">{url}</div></div>"""


def _preview_tags(page, path: str) -> dict[str, str]:
    page.goto(path)
    return page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll(
            'meta[property^="og:"], meta[name^="twitter:"]')].map(m => [
            m.getAttribute('property') || m.getAttribute('name'), m.content]))"""
    )


def test_screenshots_of_sharing(new_context, screenshots_dir: Path):
    """The couple's printable share card, and the link previews of a public and a protected registry."""
    from html import escape

    from apps.registries.models import Registry
    from tests.factories import RegistryFactory

    demo = seed_demo()
    hidden = RegistryFactory(slug="kim-and-lee", partner_one="Kim", partner_two="Lee", privacy="protected")
    hidden.set_passphrase("lisbon")
    hidden.save()

    couple = new_context(**DESKTOP).new_page()
    log_in(couple, demo.email, demo.password)
    response = couple.goto(f"{demo.dashboard}share/")
    assert response.status == 200
    assert broken_images(couple) == [] and couple.locator(".share-card__qr").count() == 1
    card = couple.locator(".share-card")
    card.screenshot(path=screenshots_dir / "share-card.png", animations="disabled")

    guest = new_context(**DESKTOP).new_page()
    bubbles = []
    for path in (demo.public, "/r/kim-and-lee/"):
        tags = _preview_tags(guest, path)
        assert tags["og:image"].startswith(guest.url.split("/r/")[0])  # absolute, on this site
        assert tags["twitter:card"] == "summary_large_image"
        if path == "/r/kim-and-lee/":  # the passphrase page: nothing of the couple, in the tags or the page
            assert tags["og:title"] == "A private gift registry on Whisper"
            assert "Kim" not in guest.content()
        else:
            assert tags["og:title"].startswith("Alex & Sam")
        bubbles.append(
            BUBBLE.format(
                image=escape(tags["og:image"]),
                title=escape(tags["og:title"]),
                description=escape(tags["og:description"]),
                site=escape(tags["og:site_name"]),
                url=escape(tags["og:url"]),
            )
        )
    assert Registry.objects.get(slug="kim-and-lee").is_protected

    preview = new_context(**DESKTOP).new_page()
    preview.set_content(PREVIEW_PAGE.format(bubbles="".join(bubbles)))
    preview.wait_for_load_state("networkidle")
    assert preview.evaluate("[...document.images].every(i => i.complete && i.naturalWidth === 1200)")
    target = screenshots_dir / "link-preview.png"
    preview.locator(".row").screenshot(path=target, animations="disabled")
    with Image.open(target) as png:
        assert len(png.convert("RGB").getcolors(maxcolors=1 << 16) or range(1 << 16)) > 50


def test_screenshot_of_the_honeymoon_fund(new_context, screenshots_dir: Path):
    """The demo's honeymoon fund: its card on the phone, and the page where a guest gives."""
    demo = seed_demo()
    from apps.items.models import Item

    fund = Item.objects.get(registry__slug="alex-and-sam", kind=Item.Kind.FUND)
    give = f"/r/alex-and-sam/items/{fund.pk}/contribute/"
    phone = new_context(**PHONE).new_page()
    for name, path, selector in (("fund-phone", demo.public, ".funds"), ("fund-give-phone", give, "main")):
        response = phone.goto(path)
        assert response.status == 200, f"{name}: {path} answered {response.status}"
        assert broken_images(phone) == [], f"{name}: pictures that did not load"
        assert horizontal_overflow(phone) <= 0, f"{name}: wider than the screen"
        phone.evaluate("document.fonts.ready")
        target = screenshots_dir / f"{name}.png"
        phone.locator(selector).first.screenshot(path=target, animations="disabled", caret="hide")
        with Image.open(target) as png:
            assert png.size[0] <= PHONE["viewport"]["width"] * 2
            assert len(png.convert("RGB").getcolors(maxcolors=1 << 16) or range(1 << 16)) > 50


@pytest.mark.parametrize("language", ["de", "fr"])
def test_screenshot_of_the_registry_page_in_another_language(new_context, screenshots_dir: Path, language):
    """registry-de.png, registry-fr.png: a guest whose phone asks for German (French) gets it."""
    demo = seed_demo()
    phone = new_context(**PHONE, locale=language).new_page()
    response = phone.goto(demo.public)
    assert response.status == 200
    assert phone.locator("html").get_attribute("lang") == language
    assert broken_images(phone) == []
    assert horizontal_overflow(phone) <= 0
    phone.evaluate("document.fonts.ready")
    height = min(1800, phone.evaluate("document.documentElement.scrollHeight"))
    target = screenshots_dir / f"registry-{language}.png"
    phone.screenshot(
        path=target,
        full_page=True,
        clip={"x": 0, "y": 0, "width": 375, "height": height},
        animations="disabled",
        caret="hide",
    )
    with Image.open(target) as png:
        assert png.size == (375 * 2, height * 2)


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
