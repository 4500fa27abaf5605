"""The public page issues the same few queries whatever the number of gifts.

Counted with a warm cache, the steady state: on a cold one, sorl-thumbnail
looks each thumbnail up once in its database key-value store, then keeps it
in the cache.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.registries.models import Registry
from tests.factories import ItemFactory, RegistryFactory, ReservationFactory, image_file

MAX_QUERIES = 6


@pytest.fixture(autouse=True)
def _own_media_and_cache(settings, tmp_path):
    """Thumbnails in this test's own folder, and a private cache for the warm-cache counts.

    The memcached of the test services is shared by every test run on the
    machine, and each run's ``cache.clear()`` flushes all of it: a run next
    to this one would empty the cache between warming and counting.
    """
    settings.MEDIA_ROOT = tmp_path
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": str(tmp_path)}
    }


def _registry_with(n: int, couple=None, **registry_fields) -> Registry:
    registry = RegistryFactory(owners=[couple] if couple else None, **registry_fields)
    for i in range(n):
        item = ItemFactory(
            registry=registry,
            category=f"Category {i % 4}",
            image=image_file(f"gift{i}.png") if i % 3 == 0 else "",
            unlimited=i % 7 == 0,
            quantity=1 + i % 3,
        )
        if i % 2:
            ReservationFactory(item=item)
    return registry


def _count(client, registry, params: dict) -> int:
    url = reverse("registries:public", args=[registry.slug])
    client.get(url, params)  # makes the thumbnails, once for good (sorl keeps them in the cache)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    assert b'class="item-card' in response.content  # a cached page renders no template (no context)
    return len(queries)


@pytest.mark.parametrize(
    "params", [{}, {"sort": "price", "available": "on", "category": "Category 1", "min_price": "1"}]
)
def test_guest_queries_do_not_grow_with_items(client, db, params):
    few, many = _registry_with(5), _registry_with(60)
    counts = _count(client, few, params), _count(client, many, params)
    assert counts[0] == counts[1] <= MAX_QUERIES, counts


def test_owner_queries_do_not_grow_with_items(owner_client, couple):
    few, many = _registry_with(5, couple), _registry_with(60, couple)
    counts = _count(owner_client, few, {}), _count(owner_client, many, {})
    assert counts[0] == counts[1] <= MAX_QUERIES, counts


def test_guest_with_passphrase_queries_do_not_grow_with_items(client, db):
    counts = []
    for n in (5, 60):
        registry = _registry_with(n, privacy=Registry.Privacy.PROTECTED)
        registry.set_passphrase("open sesame")
        registry.save()
        client.post(reverse("registries:passphrase", args=[registry.slug]), {"passphrase": "open sesame"})
        counts.append(_count(client, registry, {}))
    assert counts[0] == counts[1] <= MAX_QUERIES, counts
