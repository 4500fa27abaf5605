"""The pricing page (pages:pricing)."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_pricing_compares_free_and_premium_with_no_queries(get_page):
    _, soup = get_page(reverse("pages:pricing"))

    plans = soup.select(".plan")
    assert [p.select_one(".plan__name").get_text(strip=True) for p in plans] == ["Free", "Premium"]
    free, premium = (p.get_text(" ", strip=True) for p in plans)
    assert "Up to 30 gifts" in free
    assert "Unlisted or public registry" in free
    assert "Guest reservations" in free
    assert "USD 39" in premium
    assert "once" in premium
    for feature in (
        "Unlimited gifts",
        "Passphrase protection",
        "cover photo",
        "CSV export",
        "Group gifts",
        "No Whisper branding",
    ):
        assert feature in premium


def test_both_plan_buttons_lead_to_signup_for_now(get_page):
    _, soup = get_page(reverse("pages:pricing"))

    for plan in soup.select(".plan"):
        assert plan.select_one("a.btn")["href"] == reverse("accounts:signup")


def test_pricing_refuses_post(client):
    assert client.post(reverse("pages:pricing")).status_code == 405
