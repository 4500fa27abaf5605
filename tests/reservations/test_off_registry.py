"""reservations:off_registry — "I bought something not on the list"."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from apps.registries.models import Registry
from apps.reservations.models import OffRegistryGift

pytestmark = pytest.mark.django_db


def _url(registry) -> str:
    return reverse("reservations:off_registry", args=[registry.slug])


def _data(**overrides) -> dict:
    data = {
        "gift-guest_name": "Aunt Jo",
        "gift-guest_email": "jo@example.com",
        "gift-description": "A picnic basket from the market",
        "gift-amount": "45.50",
        "gift-currency": "EUR",
        "gift-message": "For sunny days",
    }
    data.update(overrides)
    return data


def test_the_public_page_links_guests_to_the_form(owner_client, registry):
    public = reverse("registries:public", args=[registry.slug])

    guest_html = Client().get(public).content.decode()
    owner_html = owner_client.get(public).content.decode()

    assert f'href="{_url(registry)}"' in guest_html  # a page of its own: the shared page holds no token
    assert _url(registry) not in owner_html
    form_page = Client().get(_url(registry)).content.decode()
    assert f'action="{_url(registry)}"' in form_page
    assert 'name="gift-description"' in form_page


def test_a_guest_tells_the_couple_and_it_lands_on_the_checklist(owner_client, registry):
    response = Client().post(_url(registry), _data(), follow=True)

    gift = OffRegistryGift.objects.get()
    assert response.redirect_chain == [(registry.get_absolute_url(), 302)]
    assert "will see it on their thank-you list" in response.content.decode()
    assert (gift.registry, gift.guest_name, gift.amount, gift.currency, gift.thanked) == (
        registry,
        "Aunt Jo",
        Decimal("45.50"),
        "EUR",
        False,
    )
    dashboard = owner_client.get(reverse("registries:dashboard", args=[registry.slug])).content.decode()
    assert "A picnic basket from the market" in dashboard
    assert "€45.50" in dashboard
    assert "For sunny days" in dashboard
    assert reverse("reservations:gift_thanked", args=[registry.slug, gift.pk]) in dashboard


def test_email_and_amount_are_optional(client, registry):
    response = client.post(_url(registry), _data(**{"gift-guest_email": "", "gift-amount": ""}))

    assert response.status_code == 302
    gift = OffRegistryGift.objects.get()
    assert (gift.guest_email, gift.amount) == ("", None)


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("gift-description", "", "This field is required."),
        ("gift-guest_name", "", "This field is required."),
        ("gift-amount", "-3", "The amount must be more than zero."),
        ("gift-guest_email", "not-an-email", "Enter a valid email address."),
    ],
)
def test_bad_input_gets_a_clear_message_and_saves_nothing(client, registry, field, value, error):
    response = client.post(_url(registry), _data(**{field: value}))

    assert response.status_code == 200
    assert error in response.content.decode()
    assert not OffRegistryGift.objects.exists()


def test_a_protected_registry_asks_for_the_passphrase_first(client, registry):
    registry.privacy = Registry.Privacy.PROTECTED
    registry.set_passphrase("open sesame")
    registry.save()

    response = client.post(_url(registry), _data())

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("registries:passphrase", args=[registry.slug]))
    assert not OffRegistryGift.objects.exists()


def test_one_address_cannot_flood_the_checklist(client, registry, settings):
    settings.WHISPER_RATE_OFF_REGISTRY = "2/h"

    statuses = [client.post(_url(registry), _data()).status_code for _ in range(3)]

    assert statuses == [302, 302, 429]
    assert OffRegistryGift.objects.count() == 2
