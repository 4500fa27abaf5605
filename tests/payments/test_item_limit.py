"""The free plan's item limit against direct POSTs to items:add (not only hidden in the UI)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.payments.models import Order
from tests.factories import ItemFactory

pytestmark = pytest.mark.django_db

NEW_ITEM = {
    "title": "The thirty-first gift",
    "description": "",
    "price": "25.00",
    "currency": "USD",
    "quantity": "1",
    "priority": "2",
    "category": "Kitchen",
    "note": "",
    "store_url": "",
}


@pytest.fixture
def full_registry(registry, plans):
    ItemFactory.create_batch(30, registry=registry)
    return registry


def _add_url(registry) -> str:
    url = reverse("items:add", args=[registry.slug])
    assert url == f"/registries/{registry.slug}/items/new/"
    return url


def test_free_registry_refuses_a_31st_item(owner_client, full_registry):
    response = owner_client.post(_add_url(full_registry), NEW_ITEM, follow=True)

    assert response.status_code == 200
    assert full_registry.items.count() == 30
    assert "30 items" in response.content.decode()


def test_premium_registry_takes_a_31st_item(owner_client, full_registry, premium):
    Order.objects.create(
        registry=full_registry,
        plan=premium,
        amount=premium.price,
        currency="USD",
        status="paid",
        txn_id="TXN1",
    )
    response = owner_client.post(_add_url(full_registry), NEW_ITEM)

    assert response.status_code == 302
    assert full_registry.items.count() == 31
