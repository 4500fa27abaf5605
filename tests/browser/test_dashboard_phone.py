"""The couple's dashboard on a 375 px phone: nothing wider than the screen, every action
within a thumb's reach and used, the new-registry checklist ticking itself; axe clean."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.support import BROWSER, PHONE, PHONE_WIDTH, axe_violations, log_in, seed_demo
from tests.factories import PASSWORD, RegistryFactory, UserFactory

pytestmark = BROWSER


def _fits(page: Page) -> None:
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE_WIDTH


def _on_screen(page: Page, locator) -> None:
    """The control is visible and entirely within the phone's width."""
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE_WIDTH, box


def _card(page: Page, title: str):
    return page.locator("li.gift", has=page.get_by_role("heading", name=title, exact=True))


def test_every_action_on_a_phone(new_context, axe_path: Path):
    demo = seed_demo()
    page = new_context(**PHONE, bypass_csp=True).new_page()
    log_in(page, demo.email, demo.password)
    page.goto(demo.dashboard)
    _fits(page)
    assert axe_violations(page, axe_path) == []
    # The bookmarklet is for desktop browsers: not on a phone.
    expect(page.get_by_text("Drag this button to your bookmarks bar")).to_be_hidden()

    second = page.locator("li.gift").nth(1)
    title = second.get_by_role("heading").inner_text()
    card = _card(page, title)

    # Move it up: it is first now.
    _on_screen(page, card.get_by_role("button", name=f"Move {title} up"))
    card.get_by_role("button", name=f"Move {title} up").click()
    expect(page.locator("li.gift").first.get_by_role("heading")).to_have_text(title)
    card = _card(page, title)

    # Hide it, then show it again; "Show" keeps "Delete" on the same line (rough edge 10).
    _on_screen(page, card.get_by_role("button", name="Hide"))
    card.get_by_role("button", name="Hide").click()
    expect(page.get_by_text(f"“{title}” is hidden from guests.")).to_be_visible()
    card = _card(page, title)
    show, delete = card.get_by_role("button", name="Show"), card.get_by_role("link", name="Delete")
    _on_screen(page, show)
    _on_screen(page, delete)
    assert abs(show.bounding_box()["y"] - delete.bounding_box()["y"]) < 1
    _fits(page)
    show.click()
    expect(page.get_by_text(f"“{title}” is visible to guests again.")).to_be_visible()

    # Edit: the gift's form, and back.
    card = _card(page, title)
    _on_screen(page, card.get_by_role("link", name="Edit"))
    card.get_by_role("link", name="Edit").click()
    expect(page.get_by_label("Title")).to_have_value(title)
    page.goto(demo.dashboard)

    # Delete: the confirmation, then it is gone.
    card = _card(page, title)
    _on_screen(page, card.get_by_role("link", name="Delete"))
    card.get_by_role("link", name="Delete").click()
    page.get_by_role("button", name="Delete gift").click()
    expect(page.get_by_text(f"Deleted “{title}”.")).to_be_visible()
    expect(_card(page, title)).to_have_count(0)
    _fits(page)


def test_the_checklist_ticks_itself_and_goes(new_context, axe_path: Path):
    couple = UserFactory(email="new@example.com", name="Robin")
    registry = RegistryFactory(partner_one="Robin", partner_two="Kim")
    registry.owners.add(couple)
    context = new_context(**PHONE, bypass_csp=True, permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    log_in(page, couple.email, PASSWORD)
    dashboard = f"/registries/{registry.slug}/"
    page.goto(dashboard)
    _fits(page)
    assert axe_violations(page, axe_path) == []
    steps = page.locator("#checklist li.todo__item--done")
    expect(steps).to_have_count(0)

    # A first gift.
    page.locator("#checklist").get_by_role("link", name="Add your first gifts").click()
    page.get_by_label("Title").fill("A teapot")
    page.get_by_role("button", name="Add gift", exact=True).click()
    expect(page.locator('#checklist li.todo__item--done[data-step="gifts"]')).to_have_count(1)

    # A designed header.
    page.locator("#checklist").get_by_role("link", name="Choose a cover photo or a designed header").click()
    page.get_by_role("radio", name="Sage").check()
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator('#checklist li.todo__item--done[data-step="cover"]')).to_have_count(1)
    _fits(page)

    # A fund.
    page.locator("#checklist").get_by_role("link", name="Add a fund, e.g. for your honeymoon").click()
    page.get_by_label("Name of the fund").fill("Our honeymoon")
    page.get_by_role("button", name="Add fund", exact=True).click()
    expect(page.locator('#checklist li.todo__item--done[data-step="fund"]')).to_have_count(1)

    # Where gifts go.
    page.locator("#checklist").get_by_role("link", name="Tell guests where gifts go").click()
    page.get_by_role("radio", name="Bring gifts to the party").check()
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator('#checklist li.todo__item--done[data-step="shipping"]')).to_have_count(1)

    # Sharing the link: the last step, and the checklist is gone.
    page.get_by_role("button", name="Copy the link").click()
    expect(page.get_by_text("Your link, ready to share")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()").endswith(f"/r/{registry.slug}/")
    expect(page.locator("#checklist")).to_have_count(0)
    _fits(page)
