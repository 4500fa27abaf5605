"""items:move — the ↑/↓ buttons that work without JavaScript."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import ItemFactory

pytestmark = pytest.mark.django_db


def _url(item) -> str:
    return reverse("items:move", args=[item.registry.slug, item.pk])


def _titles(registry) -> list[str]:
    return list(registry.items.values_list("title", flat=True))


def test_moving_up_swaps_with_the_item_above(owner_client, registry, items):
    response = owner_client.post(_url(items[1]), {"direction": "up"})

    assert response.status_code == 302
    assert response["Location"].endswith(f"#item-{items[1].pk}")
    assert _titles(registry) == ["Hammock", "Teapot", "Gift card"]


def test_moving_down_swaps_with_the_item_below(owner_client, registry, items):
    owner_client.post(_url(items[0]), {"direction": "down"})

    assert _titles(registry) == ["Hammock", "Teapot", "Gift card"]
    html = owner_client.get(reverse("registries:dashboard", args=[registry.slug])).content.decode()
    assert html.index("Hammock") < html.index("Teapot") < html.index("Gift card")


def test_the_first_item_cannot_go_up(owner_client, registry, items):
    response = owner_client.post(_url(items[0]), {"direction": "up"}, follow=True)

    assert "“Teapot” is already at the top." in response.content.decode()
    assert _titles(registry) == ["Teapot", "Hammock", "Gift card"]


def test_duplicate_positions_are_sorted_out(owner_client, registry):
    *_, c = (ItemFactory(registry=registry, title=t, position=0) for t in "ABC")

    owner_client.post(_url(c), {"direction": "up"})

    assert _titles(registry) == ["A", "C", "B"]
    assert list(registry.items.values_list("position", flat=True)) == [1, 2, 3]


@pytest.mark.parametrize("data", [{"direction": "sideways"}, {}])
def test_a_bad_direction_is_a_400_with_a_message(owner_client, registry, items, data):
    response = owner_client.post(_url(items[1]), data)

    assert response.status_code == 400
    assert "Choose whether to move the gift up or down." in response.content.decode()
    assert _titles(registry) == ["Teapot", "Hammock", "Gift card"]


def test_another_couple_cannot_move(other_client, registry, items):
    assert other_client.post(_url(items[1]), {"direction": "up"}).status_code == 404
    assert _titles(registry) == ["Teapot", "Hammock", "Gift card"]
