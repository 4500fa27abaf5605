"""Issue 15: a guest gives to a fund on a phone (375 px), with JavaScript and without.

The registry's couple takes contributions by their own instructions: the
guest reads them only once they have given, on their page and in the mail;
the fund's progress moves on the public page.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from playwright.sync_api import expect

from apps.items.models import Item
from apps.registries.models import Registry
from apps.reservations.models import Pledge
from tests.browser.support import BROWSER, PHONE, horizontal_overflow, mail_link
from tests.factories import ItemFactory, RegistryFactory, UserFactory

pytestmark = BROWSER

BANK = "Bank transfer: IBAN PT50 0002 0123 1234 5678 9015 4"


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_a_guest_gives_to_a_fund_on_a_phone(new_context, javascript):
    couple = UserFactory(email="alex@example.com")
    registry = RegistryFactory(slug="alex-and-sam", owners=[couple], pledge_instructions=BANK)
    fund = ItemFactory(
        registry=registry,
        title="Our honeymoon",
        description="Two weeks in the Azores.",
        kind=Item.Kind.FUND,
        group_gift=True,
        price=Decimal("1000.00"),
        currency="EUR",
        store_url="",
    )
    page = new_context(**PHONE, java_script_enabled=javascript).new_page()

    page.goto(registry.get_absolute_url())
    card = page.locator(".fund-card")
    expect(card.get_by_role("heading", name="Our honeymoon")).to_be_visible()
    expect(card).to_contain_text("€0.00 of €1,000.00 pledged")
    assert "IBAN" not in page.content()
    assert horizontal_overflow(page) <= 0

    card.get_by_role("link", name="Give to Our honeymoon").click()
    expect(page.get_by_role("heading", name="Give to “Our honeymoon”")).to_be_visible()
    assert "IBAN" not in page.content()
    page.get_by_label("Amount (EUR)").fill("150")
    page.get_by_label("Your name").fill("Robin")
    page.get_by_label("Your email").fill("robin@example.com")
    page.get_by_label("Message").fill("Swim with the whales!")
    page.get_by_role("button", name="Give", exact=True).click()

    expect(page.get_by_role("heading", name="Your pledge")).to_be_visible()
    expect(page.locator(".pledge-instructions")).to_contain_text("IBAN PT50")
    expect(page.locator("main")).to_contain_text("Promised")
    assert horizontal_overflow(page) <= 0
    assert Item.objects.get(pk=fund.pk).pledged_total == Decimal("150.00")
    assert Pledge.objects.get().message == "Swim with the whales!"
    assert "IBAN PT50" in mail.outbox[-1].body

    page.goto(mail_link("robin@example.com", "/pledges/"))
    expect(page.locator(".pledge-instructions")).to_contain_text("IBAN PT50")
    page.goto(registry.get_absolute_url())
    expect(page.locator(".fund-card")).to_contain_text("€150.00 of €1,000.00 pledged")
    assert Registry.objects.get(pk=registry.pk).items.funds().count() == 1
