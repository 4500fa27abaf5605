"""apps.registries.services: creating and updating a registry."""

from __future__ import annotations

import datetime

import pytest

from apps.registries import services
from apps.registries.models import Registry
from tests.factories import RegistryFactory

pytestmark = pytest.mark.django_db


def _new_registry(**fields) -> Registry:
    values = {
        "partner_one": "Alex",
        "partner_two": "Sam",
        "event_date": datetime.date(2030, 6, 1),
        **fields,
    }
    return Registry(**values)


def test_a_slug_from_long_names_leaves_room_for_a_suffix():
    slug = services.base_slug("A" * 80, "B" * 80)

    assert slug == "a" * 24 + "-and-" + "b" * 24
    assert len(slug + "-999999") <= Registry._meta.get_field("slug").max_length


def test_unique_slug_adds_the_first_free_suffix():
    RegistryFactory(slug="alex-and-sam")
    RegistryFactory(slug="alex-and-sam-2")
    RegistryFactory(slug="alex-and-samantha")

    assert services.unique_slug("alex-and-sam") == "alex-and-sam-3"
    assert services.unique_slug("jo-and-kim") == "jo-and-kim"


def test_unique_slug_ignores_the_registry_itself():
    registry = RegistryFactory(slug="alex-and-sam")

    assert services.unique_slug("alex-and-sam", exclude_pk=registry.pk) == "alex-and-sam"


def test_create_registry_fills_the_slug_from_the_names_and_adds_the_owner(couple):
    RegistryFactory(slug="alex-and-sam")

    registry = services.create_registry(_new_registry(), owner=couple)

    registry.refresh_from_db()
    assert registry.slug == "alex-and-sam-2"
    assert list(registry.owners.all()) == [couple]
    assert registry.passphrase_hash == ""


def test_create_registry_keeps_a_chosen_slug_and_hashes_the_passphrase(couple):
    registry = services.create_registry(
        _new_registry(slug="our-day", privacy=Registry.Privacy.PROTECTED),
        owner=couple,
        passphrase="open sesame",
    )

    registry.refresh_from_db()
    assert registry.slug == "our-day"
    assert "open sesame" not in registry.passphrase_hash
    assert registry.check_passphrase("open sesame")
    assert not registry.check_passphrase("wrong")


def test_create_registry_reports_a_chosen_slug_taken_meanwhile(couple):
    RegistryFactory(slug="our-day")

    with pytest.raises(services.SlugTaken):
        services.create_registry(_new_registry(slug="our-day"), owner=couple)

    assert Registry.objects.filter(slug="our-day").count() == 1
    assert not couple.registries.exists()


def test_create_registry_retries_an_automatic_slug_taken_meanwhile(couple, monkeypatch):
    # The slug is free when checked, but another couple takes it before the insert.
    RegistryFactory(slug="alex-and-sam")
    monkeypatch.setattr(services, "unique_slug", _racing_unique_slug())

    registry = services.create_registry(_new_registry(), owner=couple)

    assert registry.slug == "alex-and-sam-2"
    assert Registry.objects.filter(owners=couple).get().slug == "alex-and-sam-2"


def _racing_unique_slug():
    answers = iter(["alex-and-sam", "alex-and-sam-2"])
    return lambda base, exclude_pk=None: next(answers)


def test_update_registry_bumps_the_cache_version_and_keeps_the_passphrase(registry):
    registry.set_passphrase("first secret")
    registry.save()
    before = Registry.objects.get(pk=registry.pk).cache_version

    registry.location = "Porto"
    services.update_registry(registry)

    stored = Registry.objects.get(pk=registry.pk)
    assert stored.location == "Porto"
    assert stored.cache_version == before + 1
    assert registry.cache_version == before + 1
    assert stored.check_passphrase("first secret")


def test_update_registry_does_not_write_back_a_stale_cache_version(registry):
    stale = Registry.objects.get(pk=registry.pk)
    registry.bump_version()  # e.g. an item changed meanwhile
    registry.bump_version()

    services.update_registry(stale)

    assert Registry.objects.get(pk=registry.pk).cache_version == registry.cache_version + 3


def test_update_registry_replaces_the_passphrase(registry):
    registry.set_passphrase("first secret")
    registry.save()

    services.update_registry(registry, passphrase="second secret")

    stored = Registry.objects.get(pk=registry.pk)
    assert stored.check_passphrase("second secret")
    assert not stored.check_passphrase("first secret")


def test_update_registry_reports_a_slug_taken_meanwhile(registry):
    RegistryFactory(slug="taken")
    registry.slug = "taken"

    with pytest.raises(services.SlugTaken):
        services.update_registry(registry)

    assert Registry.objects.get(pk=registry.pk).slug == "alex-and-sam"
