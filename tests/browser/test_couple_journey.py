"""A couple, in a real browser: sign up, verify, build a registry, protect it, see it as a guest."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

from django.utils import timezone
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

from apps.accounts.models import User
from apps.items.models import Item
from apps.registries.models import Registry
from tests.browser.support import BROWSER, broken_images, log_in, mail_link
from tests.factories import ItemFactory, RegistryFactory

pytestmark = BROWSER

PASSWORD = "a-long-and-happy-life"
PASSPHRASE = "swans-in-june"


def gift_picture(path: Path) -> Path:
    """A real PNG, as a couple would upload: a soft background and a round 'vase'."""
    image = Image.new("RGB", (800, 600), "#efe3f1")
    draw = ImageDraw.Draw(image)
    draw.ellipse((280, 140, 520, 480), fill="#7a3e5d")
    draw.rectangle((360, 90, 440, 170), fill="#5e2d47")
    image.save(path, "PNG")
    return path


def gift_titles(page: Page) -> list[str]:
    """The gifts' titles, in the order the dashboard lists them."""
    return [t.strip() for t in page.locator("ol[data-reorder-url] li.gift h3").all_inner_texts()]


def add_gift(page: Page, title: str, price: str, *, picture: Path | None = None, another: bool) -> None:
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label(re.compile(r"^Price\b")).fill(price)
    if picture:
        page.get_by_label("Picture").set_input_files(picture)
    button = "Add and add another" if another else "Add gift"
    page.get_by_role("button", name=button, exact=True).click()
    expect(page.get_by_text(f"“{title}” is on your registry.")).to_be_visible()


def test_couple_builds_a_protected_registry_that_guests_see_in_their_order(new_context, tmp_path: Path):
    couple = new_context().new_page()

    # Sign up from the home page.
    couple.goto("/")
    couple.get_by_role("link", name="Start a registry").first.click()
    couple.get_by_label("Your name").fill("Robin")
    couple.get_by_label("Email").fill("robin@example.com")
    couple.get_by_label("Password", exact=True).fill(PASSWORD)
    couple.get_by_label("Password again").fill(PASSWORD)
    couple.get_by_role("button", name="Create my account").click()
    expect(couple.get_by_role("heading", name="Check your inbox")).to_be_visible()
    expect(couple.get_by_text("robin@example.com")).to_be_visible()
    assert not User.objects.get(email="robin@example.com").email_verified

    # The link in the mail verifies the address and leads to the registry form.
    couple.goto(mail_link("robin@example.com", "/accounts/verify/"))
    expect(couple.get_by_text("your email address is verified")).to_be_visible()
    expect(couple.get_by_role("heading", name="Create your registry")).to_be_visible()
    assert User.objects.get(email="robin@example.com").email_verified

    # Create the registry (unlisted for now).
    event = timezone.localdate() + datetime.timedelta(days=120)
    couple.get_by_label("Your name", exact=True).fill("Robin")
    couple.get_by_label("Your partner's name").fill("Kim")
    couple.get_by_label("Event date").fill(event.isoformat())
    couple.get_by_label("Location").fill("Porto")
    couple.get_by_label("Welcome message").fill("Thank you for being part of our day!")
    couple.get_by_label("Web address").fill("robin-and-kim")
    couple.get_by_role("button", name="Create registry").click()
    expect(couple.get_by_text("Your registry is ready")).to_be_visible()
    expect(couple.get_by_role("heading", name="Robin & Kim", level=1)).to_be_visible()

    # Three gifts, the first with a picture of its own.
    couple.get_by_role("link", name="Add a gift").first.click()
    add_gift(couple, "Linen tablecloth", "85.00", picture=gift_picture(tmp_path / "vase.png"), another=True)
    add_gift(couple, "Garden bench", "240.00", another=True)
    add_gift(couple, "Cookbook", "32.50", another=False)
    assert gift_titles(couple) == ["Linen tablecloth", "Garden bench", "Cookbook"]
    assert Item.objects.get(title="Linen tablecloth").image

    # Reorder with the page's own ↑/↓ buttons (plain forms): the cookbook goes to the top.
    couple.get_by_role("button", name="Move Cookbook up").click()
    expect(couple.locator("ol[data-reorder-url] li.gift").nth(1)).to_contain_text("Cookbook")
    couple.get_by_role("button", name="Move Cookbook up").click()
    expect(couple.locator("ol[data-reorder-url] li.gift").first).to_contain_text("Cookbook")
    expect(couple.get_by_role("button", name="Move Cookbook up")).to_be_disabled()
    assert gift_titles(couple) == ["Cookbook", "Linen tablecloth", "Garden bench"]

    # Protect it with a passphrase (allowed on the Free plan).
    couple.get_by_role("link", name="Edit details").click()
    couple.get_by_label("Protected", exact=False).check()
    couple.get_by_label("Passphrase for guests").fill(PASSPHRASE)
    couple.get_by_role("button", name="Save changes").click()
    expect(couple.get_by_text("Your changes are saved.")).to_be_visible()
    expect(couple.get_by_text("Protected — guests need a passphrase")).to_be_visible()
    registry = Registry.objects.get(slug="robin-and-kim")
    assert registry.privacy == Registry.Privacy.PROTECTED and registry.check_passphrase(PASSPHRASE)

    # A guest (a fresh browser, no account) is asked for the passphrase first.
    guest = new_context().new_page()
    guest.goto("/r/robin-and-kim/")
    expect(guest.get_by_text("This registry is private")).to_be_visible()
    expect(guest.get_by_text("Linen tablecloth")).to_have_count(0)
    guest.get_by_label("Passphrase").fill("swans-in-july")
    guest.get_by_role("button", name="Open the registry").click()
    expect(guest.get_by_text("That passphrase doesn't match")).to_be_visible()
    guest.get_by_label("Passphrase").fill(PASSPHRASE)
    guest.get_by_role("button", name="Open the registry").click()

    # …then sees the couple, and the gifts in the couple's order, with the uploaded picture.
    expect(guest).to_have_url(re.compile(r"/r/robin-and-kim/$"))
    expect(guest.get_by_role("heading", name="Robin & Kim", level=1)).to_be_visible()
    expect(guest.get_by_text("Thank you for being part of our day!")).to_be_visible()
    expect(guest.get_by_text("3 gifts")).to_be_visible()
    cards = guest.locator(".item-card h3")
    expect(cards).to_have_text(["Cookbook", "Linen tablecloth", "Garden bench"])
    tablecloth = guest.locator(".item-card", has_text="Linen tablecloth")
    expect(tablecloth.locator("img")).to_have_count(1)
    assert broken_images(guest) == []
    expect(tablecloth.get_by_text("85.00")).to_be_visible()
    expect(guest.get_by_role("link", name="Reserve Cookbook")).to_be_visible()
    # The guest's browser is not the couple's: no dashboard link, no owner's note.
    expect(guest.get_by_text("This is your registry as your guests see it")).to_have_count(0)


def test_couple_drags_a_gift_to_a_new_place(new_context, couple, password):
    """With JavaScript and a mouse, a gift can be dragged (static/js/reorder.js); the order is saved."""
    registry = RegistryFactory(slug="robin-and-kim", owners=[couple])
    for position, title in enumerate(["Teapot", "Hammock", "Kite"], start=1):
        ItemFactory(registry=registry, title=title, position=position)
    page = new_context().new_page()
    log_in(page, couple.email, password)
    page.goto(f"/registries/{registry.slug}/")
    expect(page.get_by_text("Drag a gift to change the order guests see.")).to_be_visible()

    rows = page.locator("ol[data-reorder-url] li.gift")
    rows.filter(has_text="Kite").drag_to(rows.filter(has_text="Teapot"), target_position={"x": 40, "y": 4})
    expect(page.get_by_text("New order saved.")).to_be_visible()
    assert list(registry.items.order_by("position").values_list("title", flat=True)) == [
        "Kite",
        "Teapot",
        "Hammock",
    ]
    page.reload()
    assert gift_titles(page) == ["Kite", "Teapot", "Hammock"]
    expect(page.get_by_role("button", name="Move Kite up")).to_be_disabled()
