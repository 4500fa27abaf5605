"""Issue 15: the upgrade page, the pricing page and the FAQ say the same about each plan,
because they read one list (``apps.payments.offers``)."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _lists(html: str) -> dict[str, list[str]]:
    soup = BeautifulSoup(html, "html.parser")
    return {
        ul["data-plan-features"]: [li.get_text(" ", strip=True) for li in ul.select("li")]
        for ul in soup.select("[data-plan-features]")
    }


def test_upgrade_pricing_and_faq_list_the_same_features(owner_client, registry, plans):
    client = Client()
    pricing = _lists(client.get(reverse("pages:pricing")).content.decode())
    faq = _lists(client.get(reverse("pages:faq")).content.decode())
    upgrade = _lists(owner_client.get(reverse("payments:upgrade", args=[registry.slug])).content.decode())

    assert pricing["premium"] == faq["premium"] == upgrade["premium"]
    assert pricing["free"] == faq["free"]
    assert pricing["premium"] == [
        "Unlimited gifts",
        "Your own cover photo",
        "The CSV spreadsheet export of everything guests gave",
        "No Whisper branding in your guests’ emails",
    ]
    assert "Passphrase protection" in pricing["free"]
    assert not any("assphrase" in f for f in upgrade["premium"])  # no longer sold as Premium
    assert any("Funds and group gifts" in f for f in pricing["free"])


def test_a_free_couple_sees_the_cover_upload_disabled_with_the_upgrade(owner_client, registry, plans):
    html = owner_client.get(reverse("registries:edit", args=[registry.slug])).content.decode()
    cover = BeautifulSoup(html, "html.parser").find("input", attrs={"name": "cover_photo"})

    assert cover.has_attr("disabled")
    assert reverse("payments:upgrade", args=[registry.slug]) in html
    # And a fund, free for every plan, is offered and taken.
    response = owner_client.post(
        reverse("items:add_fund", args=[registry.slug]),
        {"title": "Honeymoon", "description": "Lisbon", "price": "", "currency": "EUR", "priority": "2"},
    )
    assert response.status_code == 302
    assert registry.items.get().is_fund
