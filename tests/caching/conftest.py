"""Fixtures for the caching tests: a private cache, pictures in a throwaway folder, page helpers."""

from __future__ import annotations

import uuid

import pytest


@pytest.fixture(autouse=True)
def _own_media_root(settings, tmp_path):
    """Pictures and thumbnails in this test's own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def locmem(settings):
    """A cache of this test's own in process memory.

    Counting queries on a warm page needs a cache nobody else empties: the
    shared memcached is flushed now and then by other test runs.
    """
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": uuid.uuid4().hex}
    }


@pytest.fixture
def bypass_allowed(settings, locmem):
    """The benchmark's cache bypass (``X-Bench-Cache: bypass``), as in the bench settings."""
    settings.MIDDLEWARE = ["bench.views.CacheBypassMiddleware", *settings.MIDDLEWARE]
