"""Shared fixtures: a couple, a registry with items, a guest."""

from __future__ import annotations

import copy
import shutil
import uuid

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import PASSWORD, ItemFactory, RegistryFactory, UserFactory


@pytest.fixture(autouse=True)
def _clean_cache(settings):
    """Each test gets an empty cache of its own on the real memcached.

    A fresh key prefix per test, rather than a flush, so that test runs
    sharing one memcached (several developers, a stack test) never see or
    wipe each other's keys.
    """
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["KEY_PREFIX"] = f"t-{uuid.uuid4().hex[:12]}"
    settings.CACHES = caches  # setting_changed resets the cache handlers
    yield


@pytest.fixture(autouse=True, scope="session")
def _media_root():
    """Uploaded files go to a throwaway folder, removed after the run."""
    yield
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def couple(db):
    """A verified registry owner."""
    return UserFactory(email="alex@example.com", name="Alex")


@pytest.fixture
def registry(couple):
    """A public registry owned by ``couple``."""
    return RegistryFactory(slug="alex-and-sam", owners=[couple])


@pytest.fixture
def items(registry):
    """Three items on ``registry``."""
    return [
        ItemFactory(registry=registry, title="Teapot", price="35.00", category="Kitchen", position=1),
        ItemFactory(
            registry=registry, title="Hammock", price="120.00", category="Garden", position=2, quantity=2
        ),
        ItemFactory(registry=registry, title="Gift card", price="50.00", unlimited=True, position=3),
    ]


@pytest.fixture
def owner_client(client, couple):
    """A test client logged in as ``couple``."""
    client.force_login(couple)
    return client


@pytest.fixture
def other_couple(db):
    return UserFactory(email="jo@example.com", name="Jo")


@pytest.fixture
def other_client(other_couple):
    """A second, unrelated couple's client (separate from ``client``)."""
    c = Client()
    c.force_login(other_couple)
    return c
