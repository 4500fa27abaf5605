"""Every gift URL: only the registry's owners get in; guests are sent to log in."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.items.models import Item

pytestmark = pytest.mark.django_db

ITEM_URLS = [
    ("items:edit", "get"),
    ("items:edit", "post"),
    ("items:delete", "get"),
    ("items:delete", "post"),
    ("items:hide", "post"),
    ("items:move", "post"),
]
REGISTRY_URLS = [("items:add", "get"), ("items:add", "post"), ("items:reorder", "post")]


def _snapshot():
    return list(Item.objects.order_by("pk").values())


@pytest.mark.parametrize(("name", "method"), ITEM_URLS)
def test_another_couple_gets_404_on_item_urls(other_client, items, name, method):
    before = _snapshot()
    url = reverse(name, args=[items[1].registry.slug, items[1].pk])

    response = getattr(other_client, method)(url, {"direction": "up", "title": "Hacked", "quantity": "1"})

    assert response.status_code == 404
    assert _snapshot() == before


@pytest.mark.parametrize(("name", "method"), REGISTRY_URLS)
def test_another_couple_gets_404_on_registry_urls(other_client, registry, items, name, method):
    before = _snapshot()
    order = ",".join(str(item.pk) for item in reversed(items))

    response = getattr(other_client, method)(
        reverse(name, args=[registry.slug]), {"order": order, "title": "X"}
    )

    assert response.status_code == 404
    assert _snapshot() == before


@pytest.mark.parametrize(("name", "method"), ITEM_URLS)
def test_anonymous_visitors_are_sent_to_log_in_from_item_urls(client, items, name, method):
    before = _snapshot()

    response = getattr(client, method)(reverse(name, args=[items[0].registry.slug, items[0].pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")
    assert _snapshot() == before


@pytest.mark.parametrize(("name", "method"), REGISTRY_URLS)
def test_anonymous_visitors_are_sent_to_log_in_from_registry_urls(client, registry, name, method):
    response = getattr(client, method)(reverse(name, args=[registry.slug]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")


def test_an_item_id_under_the_wrong_slug_is_404(owner_client, couple, items):
    from tests.factories import RegistryFactory

    mine_too = RegistryFactory(slug="second-one", owners=[couple])

    response = owner_client.get(reverse("items:edit", args=[mine_too.slug, items[0].pk]))

    assert response.status_code == 404
