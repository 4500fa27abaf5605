"""Fixtures for the reservation tests: a reservation and the links out of its mails."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.factories import ReservationFactory

_LINK = re.compile(r"https?://\S+")


def link_paths(message) -> list[str]:
    """The paths of the links in a mail's text body (what a guest would click)."""
    return [urlsplit(url).path for url in _LINK.findall(message.body)]


@pytest.fixture
def hammock(items):
    """The registry's item wanted twice (quantity 2, nothing reserved yet)."""
    return items[1]


@pytest.fixture
def reservation(hammock):
    """One of the two hammocks, reserved by Pat."""
    return ReservationFactory(
        item=hammock, guest_name="Pat", guest_email="pat@example.com", message="Congratulations!"
    )
