"""The pricing page (pages:pricing), which quotes the plans from the Plan table."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from apps.payments.models import Plan

pytestmark = pytest.mark.django_db

URL = reverse("pages:pricing")


def _cards(soup) -> dict[str, str]:
    return {
        p.select_one(".plan__name").get_text(strip=True): p.get_text(" ", strip=True)
        for p in soup.select(".plan")
    }


def test_pricing_compares_free_and_premium(get_page):
    _, soup = get_page(URL)

    cards = _cards(soup)
    assert list(cards) == ["Free", "Premium"]
    free, premium = cards["Free"], cards["Premium"]
    assert "$0" in free
    assert "Up to 30 gifts" in free
    assert "Unlisted or public registry" in free
    assert "Guest reservations" in free
    assert "$39.00" in premium
    assert "once" in premium
    for feature in ("Unlimited gifts", "cover photo", "CSV spreadsheet export", "No Whisper branding"):
        assert feature in premium
        assert feature not in free
    # Issue 15: funds and group gifts, the passphrase and the share card are free.
    for feature in ("Funds and group gifts", "Passphrase protection", "QR code", "shipping address"):
        assert feature in free
        assert feature not in premium


def test_passphrase_protection_is_free(get_page):
    """Guests' privacy is never a paid feature: Free lists it, Premium does not sell it."""
    _, soup = get_page(URL)

    cards = _cards(soup)
    assert "Passphrase protection" in cards["Free"]
    assert "Passphrase" not in cards["Premium"]
    assert "passphrase protection included" in soup.find("meta", attrs={"name": "description"})["content"]
    assert "Is passphrase protection a paid extra?" in soup.get_text()


def test_the_page_quotes_what_the_admin_has_set(get_page):
    Plan.objects.filter(slug="free").update(max_items=50)
    Plan.objects.filter(slug="premium").update(price=Decimal("45.50"), currency="EUR")
    Plan.objects.create(slug="old-deluxe", name="Deluxe", price=Decimal("99.00"), active=False)

    _, soup = get_page(URL)

    cards = _cards(soup)
    assert list(cards) == ["Free", "Premium"]  # an inactive plan is not for sale
    assert "Up to 50 gifts" in cards["Free"]
    assert "€45.50" in cards["Premium"]
    assert "up to 50 gifts" in soup.find("meta", attrs={"name": "description"})["content"]


def test_every_purchasable_plan_gets_a_card_cheapest_first(get_page):
    Plan.objects.create(
        slug="plus", name="Plus", price=Decimal("19.00"), max_items=100, allows_cover_photo=True
    )

    _, soup = get_page(URL)

    cards = _cards(soup)
    assert list(cards) == ["Free", "Plus", "Premium"]
    assert "$19.00" in cards["Plus"]
    assert "Up to 100 gifts" in cards["Plus"]
    assert "cover photo" in cards["Plus"]
    assert "CSV export" not in cards["Plus"]
    assert "plan--featured" in soup.select(".plan")[1]["class"]


def test_both_plan_buttons_lead_to_signup_for_now(get_page):
    _, soup = get_page(URL)

    for plan in soup.select(".plan"):
        assert plan.select_one("a.btn")["href"] == reverse("accounts:signup")


def test_pricing_refuses_post(client):
    assert client.post(URL).status_code == 405
