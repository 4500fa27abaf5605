"""The memcached backend (Django's own PyMemcacheCache, OPTIONS in the settings): an outage is a miss."""

from __future__ import annotations

import copy
import socket

import pytest
from django.test import Client

from tests.caching.helpers import public_url


def _dead_address() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{s.getsockname()[1]}"  # nothing listens once it is closed


@pytest.fixture
def memcached_down(settings):
    down = copy.deepcopy(settings.CACHES)
    down["default"]["LOCATION"] = [_dead_address()]
    settings.CACHES = down


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
