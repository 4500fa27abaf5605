"""Helpers of the caching tests: the public page's address, counted GETs, rendered cards."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ItemFactory, RegistryFactory, ReservationFactory

CARD = "registries/_item_card.html"


def public_url(registry, **params) -> str:
    url = reverse("registries:public", args=[registry.slug])
    return f"{url}?{urlencode(params)}" if params else url


def get_counted(client, url: str, **headers):
    """GET ``url``; the response and the number of SQL queries it took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, headers=headers)
    return response, len(queries)


def card_renders(response) -> int:
    """How many gift cards the response rendered (not taken from a cached fragment)."""
    return [t.name for t in response.templates].count(CARD)


def registry_with(n: int, couple=None, **fields):
    """A public registry with ``n`` gifts in four categories, every other one reserved."""
    registry = RegistryFactory(owners=[couple] if couple else None, **fields)
    for i in range(n):
        item = ItemFactory(registry=registry, category=f"Category {i % 4}", quantity=1 + i % 3)
        if i % 2:
            ReservationFactory(item=item)
    return registry


def eager_token(request) -> dict:
    """A context processor that asks for the visitor's CSRF token (as a careless tag might)."""
    from django.middleware.csrf import get_token

    return {"eager_token": get_token(request)}
