"""The registry row behind a public page, kept a second by each web process (apps.registries.rows)."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from apps.registries import rows
from apps.registries.models import Registry
from tests.caching.helpers import get_counted, public_url, registry_with

pytestmark = pytest.mark.django_db(transaction=True)  # copies are made from committed rows only


@pytest.fixture
def copies(settings):
    settings.WHISPER_REGISTRY_ROW_SECONDS = 0.5
    rows.forget()
    yield
    rows.forget()


def _etag_revalidation(client, registry):
    first = client.get(public_url(registry))
    return get_counted(client, public_url(registry), **{"If-None-Match": first["ETag"]})


def test_a_guest_without_a_session_revalidates_without_a_query(copies):
    registry = registry_with(3)

    not_modified, queries = _etag_revalidation(Client(), registry)

    assert not_modified.status_code == 304
    assert queries == 0


def test_without_copies_every_revalidation_reads_the_row(settings):
    settings.WHISPER_REGISTRY_ROW_SECONDS = 0
    registry = registry_with(3)

    not_modified, queries = _etag_revalidation(Client(), registry)

    assert not_modified.status_code == 304
    assert queries == 1


def test_a_change_reaches_a_guest_once_the_copy_is_older_than_its_seconds(copies):
    registry = registry_with(3)
    guest = Client()
    assert guest.get(public_url(registry)).status_code == 200
    Registry.objects.filter(pk=registry.pk).update(privacy=Registry.Privacy.PROTECTED)

    right_after = guest.get(public_url(registry))
    time.sleep(0.6)
    later = guest.get(public_url(registry))

    assert right_after.status_code == 200  # this process's copy, at most half a second old
    assert later.status_code == 302  # the passphrase gate: the row was read again
    assert "/passphrase/" in later["Location"]


def test_a_visitor_with_a_session_always_reads_the_row(copies, django_user_model):
    registry = registry_with(3)
    Client().get(public_url(registry))  # a copy is made
    Registry.objects.filter(pk=registry.pk).update(privacy=Registry.Privacy.PROTECTED)
    couple_friend = Client()
    couple_friend.force_login(django_user_model.objects.create_user(email="friend@example.com", password="x"))

    response = couple_friend.get(public_url(registry))

    assert response.status_code == 302  # not the copy: the gate at once
