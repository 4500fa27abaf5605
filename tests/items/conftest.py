"""Fixtures for the gift pages: a form payload for a new item."""

from __future__ import annotations

import pytest


@pytest.fixture
def item_data():
    """A valid add/edit form payload; tests override what they exercise."""

    def make(**overrides) -> dict:
        data = {
            "title": "Espresso machine",
            "description": "The shiny one.",
            "price": "249.99",
            "currency": "EUR",
            "quantity": "1",
            "store_url": "https://shop.example/espresso",
            "priority": "1",
            "category": "Kitchen",
            "note": "Any colour but red",
        }
        data.update(overrides)
        return data

    return make


@pytest.fixture(autouse=True)
def _own_media_root(settings, tmp_path):
    """Uploads of each test in a folder of its own: other test runs may clear the shared one."""
    settings.MEDIA_ROOT = tmp_path / "media"
