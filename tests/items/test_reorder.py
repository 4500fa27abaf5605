"""items:reorder — the whole new order at once (what the drag-and-drop script posts)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from apps.items.models import Item
from apps.registries.models import Registry
from tests.factories import ItemFactory, RegistryFactory

pytestmark = pytest.mark.django_db


def _url(registry) -> str:
    return reverse("items:reorder", args=[registry.slug])


def _titles(registry) -> list[str]:
    return list(registry.items.values_list("title", flat=True))


def test_a_comma_separated_order_is_saved(owner_client, registry, items):
    teapot, hammock, card = items

    response = owner_client.post(_url(registry), {"order": f"{card.pk},{teapot.pk},{hammock.pk}"})

    assert response.status_code == 302
    assert _titles(registry) == ["Gift card", "Teapot", "Hammock"]
    assert list(registry.items.values_list("position", flat=True)) == [1, 2, 3]
    assert Registry.objects.get(pk=registry.pk).cache_version == registry.cache_version + 1


def test_repeated_order_fields_work_too(owner_client, registry, items):
    teapot, hammock, card = items

    owner_client.post(_url(registry), {"order": [hammock.pk, card.pk, teapot.pk]})

    assert _titles(registry) == ["Hammock", "Gift card", "Teapot"]


def test_the_script_gets_json(owner_client, registry, items):
    teapot, hammock, card = items

    response = owner_client.post(
        _url(registry),
        {"order": f"{hammock.pk},{teapot.pk},{card.pk}"},
        headers={"accept": "application/json"},
    )

    assert response.status_code == 200
    assert response.json() == {"ok": True, "order": [hammock.pk, teapot.pk, card.pk]}


def test_only_the_items_that_moved_get_a_new_cache_version(owner_client, registry, items):
    teapot, hammock, card = items

    owner_client.post(_url(registry), {"order": f"{hammock.pk},{teapot.pk},{card.pk}"})

    versions = dict(Item.objects.values_list("title", "cache_version"))
    assert versions == {"Hammock": 2, "Teapot": 2, "Gift card": 1}


@pytest.mark.parametrize(
    ("order", "message"),
    [
        ("missing-one", "exactly the gifts of this registry"),
        ("foreign", "exactly the gifts of this registry"),
        ("extra-foreign", "exactly the gifts of this registry"),
        ("duplicate", "only once"),
        ("garbage", "must be a list of gift numbers"),
        ("empty", "The new order is empty."),
        ("huge", "must be a list of gift numbers"),
    ],
)
def test_a_wrong_order_is_a_400_and_changes_nothing(
    owner_client, registry, items, other_couple, order, message
):
    teapot, hammock, card = items
    foreign = ItemFactory(registry=RegistryFactory(slug="theirs", owners=[other_couple]))
    values = {
        "missing-one": f"{card.pk},{teapot.pk}",
        "foreign": f"{card.pk},{teapot.pk},{foreign.pk}",
        "extra-foreign": f"{card.pk},{teapot.pk},{hammock.pk},{foreign.pk}",
        "duplicate": f"{card.pk},{teapot.pk},{hammock.pk},{card.pk}",
        "garbage": f"{card.pk},{teapot.pk},DROP TABLE",
        "empty": "",
        "huge": f"{card.pk},{teapot.pk},{10**30}",
    }[order]

    response = owner_client.post(_url(registry), {"order": values})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert "Nothing was changed." in response.content.decode()
    assert _titles(registry) == ["Teapot", "Hammock", "Gift card"]
    assert set(Item.objects.values_list("cache_version", flat=True)) == {1}
    assert Registry.objects.get(pk=registry.pk).cache_version == 1


def test_a_wrong_order_answers_json_to_the_script(owner_client, registry, items):
    response = owner_client.post(_url(registry), {"order": "1"}, headers={"accept": "application/json"})

    assert response.status_code == 400
    assert response.json()["ok"] is False
    assert "exactly the gifts" in response.json()["error"]


def test_another_couple_cannot_reorder(other_client, registry, items):
    teapot, hammock, card = items

    response = other_client.post(_url(registry), {"order": f"{card.pk},{teapot.pk},{hammock.pk}"})

    assert response.status_code == 404
    assert _titles(registry) == ["Teapot", "Hammock", "Gift card"]


def test_get_is_not_allowed(owner_client, registry, items):
    assert owner_client.get(_url(registry)).status_code == 405


def test_the_dashboard_loads_the_script_without_inline_code(owner_client, registry, items):
    html = owner_client.get(reverse("registries:dashboard", args=[registry.slug])).content.decode()

    assert re.search(r'<script src="[^"]*/js/reorder[^"]*\.js" defer></script>', html)
    assert f'data-reorder-url="{_url(registry)}"' in html
    assert "<script>" not in html
