"""The guest's journey, shared by the tests with and without JavaScript.

A guest on a phone opens a protected registry, enters the passphrase, filters
by price, reserves a gift with a message, opens the manage link from the mail,
marks it bought, and cancels a second reservation. Then the couple, logged in
on their own computer, sees on the dashboard what their spoiler setting allows.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.core import mail
from playwright.sync_api import BrowserContext, Page, expect

from apps.registries.models import Registry
from apps.reservations.models import Reservation
from tests.browser.support import DESKTOP, PHONE, horizontal_overflow, log_in, mail_link
from tests.factories import PASSWORD, ItemFactory, RegistryFactory, UserFactory

PASSPHRASE = "swans-in-june"
GUEST_NAME = "Robin Fairweather"
GUEST_EMAIL = "robin@example.com"
# HTML typed by a guest must reach the couple as text.
MESSAGE = "Congratulations, you two! <b>Enjoy</b> every cup."
OTHER_MESSAGE = "For lazy Sunday picnics."


@dataclass
class Setting:
    registry: Registry
    couple_email: str


def protected_registry(spoilers: str) -> Setting:
    """Alex & Sam's protected registry: five gifts, two of them over 100."""
    couple = UserFactory(email="alex@example.com", name="Alex")
    registry = RegistryFactory(
        slug="alex-and-sam",
        owners=[couple],
        privacy=Registry.Privacy.PROTECTED,
        spoilers=spoilers,
        location="Lisbon",
    )
    registry.set_passphrase(PASSPHRASE)
    registry.save(update_fields=["passphrase_hash"])
    gifts = [
        ("Teapot", "35.00", "Kitchen", 1),
        ("Hammock", "120.00", "Garden", 2),
        ("Picnic blanket", "60.00", "Garden", 1),
        ("Espresso machine", "450.00", "Kitchen", 1),
        ("Candle set", "18.00", "Home", 3),
    ]
    for position, (title, price, category, quantity) in enumerate(gifts, start=1):
        ItemFactory(
            registry=registry,
            title=title,
            price=price,
            category=category,
            quantity=quantity,
            position=position,
            store_url="",
        )
    return Setting(registry=registry, couple_email=couple.email)


def _titles(page: Page) -> list[str]:
    return [t.strip() for t in page.locator(".item-card h3").all_inner_texts()]


def _reserve(page: Page, title: str, message: str) -> None:
    """From the registry page: open the gift's reserve form, fill it in, send it."""
    page.get_by_role("link", name=f"Reserve {title}").click()
    expect(page.get_by_role("heading", name=f"Reserve “{title}”")).to_be_visible()
    page.get_by_label("Your name").fill(GUEST_NAME)
    page.get_by_label("Your email").fill(GUEST_EMAIL)
    page.get_by_label("Message").fill(message)
    page.get_by_role("button", name="Reserve", exact=True).click()
    expect(page.get_by_text("Reserved! We've emailed you a link to manage it.")).to_be_visible()


def guest_journey(new_context: Callable[..., BrowserContext], *, javascript: bool, spoilers: str) -> None:
    """Run the whole journey; each step asserts what the guest or the couple sees."""
    setting = protected_registry(spoilers)
    registry = setting.registry
    guest = new_context(**PHONE, java_script_enabled=javascript).new_page()

    # The link from the invitation: a passphrase first.
    guest.goto(f"/r/{registry.slug}/")
    expect(guest.get_by_text("This registry is private")).to_be_visible()
    assert horizontal_overflow(guest) <= 0
    guest.get_by_label("Passphrase").fill(PASSPHRASE)
    guest.get_by_role("button", name="Open the registry").click()
    expect(guest.get_by_role("heading", name="Alex & Sam", level=1)).to_be_visible()
    expect(guest.get_by_text("5 gifts")).to_be_visible()
    assert horizontal_overflow(guest) <= 0

    # Gifts up to 100 only.
    guest.get_by_label("Max price").fill("100")
    guest.get_by_role("button", name="Show gifts").click()
    expect(guest.get_by_text("3 gifts match your filters")).to_be_visible()
    assert sorted(_titles(guest)) == ["Candle set", "Picnic blanket", "Teapot"]
    expect(guest.get_by_label("Max price")).to_have_value("100")

    # Reserve the teapot with a message; the confirmation mail holds the private link.
    _reserve(guest, "Teapot", MESSAGE)
    teapot_link = mail_link(GUEST_EMAIL, "/reservations/")
    reservation = Reservation.objects.get(item__title="Teapot")
    assert (reservation.guest_name, reservation.message) == (GUEST_NAME, MESSAGE)

    # And the picnic blanket, which the guest will cancel later.
    guest.goto(f"/r/{registry.slug}/")
    _reserve(guest, "Picnic blanket", OTHER_MESSAGE)
    blanket_link = mail_link(GUEST_EMAIL, "/reservations/")
    assert blanket_link != teapot_link
    assert len([m for m in mail.outbox if GUEST_EMAIL in m.to]) == 2

    # Both are taken for everyone now; "still available" leaves them out.
    guest.goto(f"/r/{registry.slug}/")
    teapot = guest.locator(".item-card", has_text="Teapot")
    expect(teapot.get_by_text("Reserved — thank you!")).to_be_visible()
    expect(guest.get_by_role("link", name="Reserve Teapot")).to_have_count(0)
    guest.get_by_label("Still available only").check()
    guest.get_by_role("button", name="Show gifts").click()
    expect(guest.get_by_text("3 gifts match your filters")).to_be_visible()
    assert sorted(_titles(guest)) == ["Candle set", "Espresso machine", "Hammock"]

    # The link from the mail works in any browser (the mail app's, say): mark the teapot bought.
    mailbox = new_context(**PHONE, java_script_enabled=javascript).new_page()
    mailbox.goto(teapot_link)
    expect(mailbox.get_by_role("heading", name="Your reservation")).to_be_visible()
    expect(mailbox.get_by_role("heading", name="Teapot")).to_be_visible()
    expect(mailbox.get_by_text(MESSAGE)).to_be_visible()
    mailbox.get_by_role("button", name="Mark as bought").click()
    expect(mailbox.get_by_text("Marked as bought — thank you!")).to_be_visible()
    expect(mailbox.get_by_text("You marked this gift as bought.")).to_be_visible()
    assert horizontal_overflow(mailbox) <= 0
    reservation.refresh_from_db()
    assert reservation.bought

    # Cancel the picnic blanket: it is back among the available gifts.
    mailbox.goto(blanket_link)
    expect(mailbox.get_by_role("heading", name="Picnic blanket")).to_be_visible()
    mailbox.get_by_role("button", name="Cancel my reservation").click()
    expect(mailbox.get_by_role("heading", name="Cancel your reservation?")).to_be_visible()
    mailbox.get_by_role("button", name="Yes, cancel my reservation").click()
    expect(mailbox.get_by_text("Your reservation is cancelled.")).to_be_visible()
    expect(mailbox.get_by_role("button", name="Cancel my reservation")).to_have_count(0)
    guest.reload()  # still filtered: available only
    expect(guest.get_by_label("Still available only")).to_be_checked()
    expect(guest.get_by_text("4 gifts match your filters")).to_be_visible()
    assert "Picnic blanket" in _titles(guest) and "Teapot" not in _titles(guest)

    # The couple's dashboard, on their own computer.
    couple = new_context(**DESKTOP).new_page()
    log_in(couple, setting.couple_email, PASSWORD)
    couple.goto(f"/registries/{registry.slug}/")
    expect(couple.get_by_role("heading", name="Alex & Sam", level=1)).to_be_visible()
    dashboard_shows(couple, spoilers)


def dashboard_shows(couple: Page, spoilers: str) -> None:
    """Exactly what ``spoilers`` lets the couple see of one bought teapot (and a cancelled blanket)."""
    gifts = couple.locator("ol[data-reorder-url]")
    teapot = gifts.locator("li.gift", has_text="Teapot")
    private = [GUEST_NAME, GUEST_EMAIL, "Enjoy", OTHER_MESSAGE]
    if spoilers == Registry.Spoilers.ALL:
        reservations = couple.locator("#reservations")
        expect(reservations.get_by_role("heading", name="Reservations and thank-yous")).to_be_visible()
        row = reservations.locator("tbody tr")
        expect(row).to_have_count(1)  # the cancelled blanket is gone
        expect(row).to_contain_text(GUEST_NAME)
        expect(row).to_contain_text("Teapot")
        expect(row).to_contain_text(MESSAGE)  # as typed: the tags shown, not applied
        expect(row.locator("b")).to_have_count(0)
        expect(row.get_by_text("Bought", exact=True)).to_be_visible()
        expect(couple.get_by_text(OTHER_MESSAGE)).to_have_count(0)
        expect(_stat(couple, "Units reserved")).to_have_text("1")
        expect(_stat(couple, "Bought")).to_contain_text("1")
    elif spoilers == Registry.Spoilers.COUNTS:
        expect(_stat(couple, "Units reserved")).to_have_text("1")
        expect(teapot.get_by_text("1 reserved", exact=True)).to_be_visible()
        expect(teapot.get_by_text("0 left", exact=True)).to_be_visible()
        expect(
            couple.get_by_text("You see how many of each gift are reserved, but not by whom")
        ).to_be_visible()
        expect(couple.get_by_role("heading", name="Reservations and thank-yous")).to_have_count(0)
        expect(couple.get_by_text("Bought", exact=True)).to_have_count(0)
        _assert_absent(couple, private)
    else:
        expect(couple.get_by_text("Shh — what your guests reserve is a surprise")).to_be_visible()
        expect(couple.get_by_text("Units reserved")).to_have_count(0)
        expect(gifts.get_by_text("reserved")).to_have_count(0)
        expect(couple.get_by_role("heading", name="Reservations and thank-yous")).to_have_count(0)
        _assert_absent(couple, private)


def _stat(page: Page, label: str):
    """The value of one of the dashboard's summary figures."""
    return page.locator(
        ".dashboard-stats div", has=page.locator("dt", has_text=re.compile(f"^{label}$"))
    ).locator("dd")


def _assert_absent(page: Page, texts: list[str]) -> None:
    html = page.content()
    for text in texts:
        assert text not in html, f"the dashboard gives away {text!r}"
