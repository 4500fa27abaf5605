"""Fixtures for the accounts tests: an unverified couple, and links out of mails."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.test import Client

from tests.factories import UserFactory

_LINK = re.compile(r"https?://\S+")


def link_path(message) -> str:
    """The path of the first link in a mail's text body (what a person would click)."""
    match = _LINK.search(message.body)
    assert match, f"no link in {message.body!r}"
    return urlsplit(match.group(0)).path


@pytest.fixture
def unverified(db):
    """A couple who signed up but has not opened the verification link yet."""
    return UserFactory(email="robin@example.com", name="Robin", email_verified=False)


@pytest.fixture
def unverified_client(unverified):
    c = Client()
    c.force_login(unverified)
    return c
