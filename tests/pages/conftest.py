"""Helpers for the marketing pages' tests: fetch a page and look inside it."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from tests.plan_rows import create_plans


@pytest.fixture(autouse=True)
def _private_cache(settings):
    """A cache of this test's own: memcached is shared with other test runs,
    whose ``cache.clear()`` would empty it between our two requests."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages-tests"}
    }
    yield


@pytest.fixture
def plans(db) -> None:
    """Free and Premium, as the data migration creates them (transactional tests elsewhere flush them)."""
    create_plans()


@pytest.fixture
def get_page(client: Client, django_assert_max_num_queries, plans):
    """GET ``url`` as an anonymous visitor; assert 200 and at most one database query.

    The first request warms the cache that site-wide bits of ``base.html``
    read (the read-only switch is a waffle switch cached in memcached); the
    page itself then needs only the query that reads the plans — none at all
    once the site-wide cache serves it.
    """

    def get(url: str) -> tuple[object, BeautifulSoup]:
        assert client.get(url).status_code == 200
        with django_assert_max_num_queries(1):
            response = client.get(url)
        assert response.status_code == 200
        return response, BeautifulSoup(response.content, "html.parser")

    return get
