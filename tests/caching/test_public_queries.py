"""registries:public — how many queries a page takes, warm and uncached, whatever the number of gifts."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.caching.helpers import card_renders, get_counted, public_url, registry_with

BYPASS = {"x_bench_cache": "bypass"}  # bench.views.CacheBypassMiddleware
MAX_UNCACHED = 6

pytestmark = pytest.mark.usefixtures("locmem")


def _warm(client, registry) -> int:
    url = public_url(registry)
    client.get(url)
    response, queries = get_counted(client, url)
    assert response.status_code == 200
    assert b'class="item-card' in response.content
    return queries


def test_a_guests_warm_page_takes_the_registry_row_only(db):
    few, many = registry_with(5), registry_with(60)

    assert _warm(Client(), few) == _warm(Client(), many) == 1


def test_an_owners_warm_page_takes_two_queries_besides_the_login(db, couple):
    few, many = registry_with(5, couple), registry_with(60, couple)
    client = Client()
    client.force_login(couple)
    # The user behind the session; the registry row and "is this an owner?".
    assert _warm(client, few) == _warm(client, many) == 1 + 2


def _uncached(client, registry, **params) -> int:
    url = public_url(registry, **params)
    client.get(url, headers=BYPASS)  # sorl's key-value store learns the thumbnails (once for good)
    response, queries = get_counted(client, url, **BYPASS)
    assert response.status_code == 200
    assert card_renders(response) > 0  # every card rendered: nothing came from the cache
    return queries


@pytest.mark.usefixtures("bypass_allowed")
@pytest.mark.parametrize("params", [{}, {"category": "Category 1", "sort": "price", "available": "on"}])
def test_an_uncached_page_takes_a_few_queries_whatever_the_number_of_gifts(db, couple, params):
    few, many = registry_with(5, couple), registry_with(60, couple)
    guest = [_uncached(Client(), few, **params), _uncached(Client(), many, **params)]
    owner = Client()
    owner.force_login(couple)
    owners = [_uncached(owner, few, **params), _uncached(owner, many, **params)]

    assert guest[0] == guest[1] <= MAX_UNCACHED, guest
    assert owners[0] == owners[1] <= MAX_UNCACHED, owners


def test_on_the_site_the_benchs_header_changes_nothing(db):
    """Only the bench settings know the header: the site serves its cached page."""
    registry = registry_with(5)
    client = Client()
    client.get(public_url(registry))

    response, queries = get_counted(client, public_url(registry), **BYPASS)

    assert queries == 1
    assert response.templates == []
