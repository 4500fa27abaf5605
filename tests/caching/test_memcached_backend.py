"""apps.core.cache.PersistentPyMemcacheCache — connections kept across requests; an outage is a miss."""

from __future__ import annotations

import copy
import socket

import pymemcache.client.base
import pytest
from django.core.cache import caches
from django.test import Client

from tests.caching.helpers import public_url


@pytest.fixture
def connects(monkeypatch) -> list[object]:
    """Every new connection pymemcache opens (one entry per connect)."""
    opened: list[object] = []
    connect = pymemcache.client.base.Client._connect

    def counting(client) -> None:
        opened.append(client)
        connect(client)

    monkeypatch.setattr(pymemcache.client.base.Client, "_connect", counting)
    return opened


def test_the_settings_use_the_persistent_backend(settings):
    assert settings.CACHES["default"]["BACKEND"] == "apps.core.cache.PersistentPyMemcacheCache"


# The couple's view of their public page: its fragments and their session come from memcached
# on every request (a guest's page comes from the web process's own memory once warm).
def test_two_requests_share_one_client_and_its_connection(owner_client, registry, items, connects):
    owner_client.get(public_url(registry))
    first = caches["default"]._cache
    connects.clear()

    assert owner_client.get(public_url(registry)).status_code == 200  # several cache reads

    assert caches["default"]._cache is first
    assert connects == []


def test_djangos_own_backend_reconnects_on_every_request(owner_client, registry, items, connects, settings):
    # What the persistent backend saves (and what makes the test above able to fail).
    stock = copy.deepcopy(settings.CACHES)
    stock["default"]["BACKEND"] = "django.core.cache.backends.memcached.PyMemcacheCache"
    settings.CACHES = stock
    owner_client.get(public_url(registry))
    connects.clear()

    owner_client.get(public_url(registry))

    assert len(connects) >= 1


def test_new_backend_instances_share_the_client(settings):
    settings.CACHES = copy.deepcopy(settings.CACHES)  # a new handler, new instances
    assert caches["default"]._cache is caches.create_connection("default")._cache


def _dead_address() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{s.getsockname()[1]}"  # nothing listens once it is closed


@pytest.fixture
def memcached_down(settings):
    down = copy.deepcopy(settings.CACHES)
    down["default"]["LOCATION"] = [_dead_address()]
    settings.CACHES = down
    settings.CACHE_MIDDLEWARE_SECONDS = 300


@pytest.mark.usefixtures("memcached_down")
def test_with_memcached_down_pages_render_from_the_database(owner_client, registry, items):
    guest = Client()
    for client in (guest, guest, owner_client, owner_client):
        response = client.get(public_url(registry))
        assert response.status_code == 200
        content = response.content.decode()
        assert "<h3>Teapot</h3>" in content
        assert "<h3>Hammock</h3>" in content
    for path in ("/", "/pricing/", "/faq/"):
        assert Client().get(path).status_code == 200
