"""registries:public — versioned fragments: every change guests can see shows at once, and
one reservation re-renders one gift card."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from apps.core.cache import code_version, fragment_key
from apps.items import services as item_services
from apps.items.models import Item
from apps.ops import flags
from apps.registries import services as registry_services
from apps.registries.models import Registry
from apps.reservations import services as reservations
from apps.reservations.services import AMOUNTS
from tests.caching.helpers import card_renders, public_url
from tests.factories import ItemFactory
from tests.gifts import group_gift, switch_off, upgrade


def _item_key(item: Item, registry: Registry, language: str = "en") -> str:
    """The key of a gift card's fragment, as registries/public.html builds it (one per language)."""
    item.refresh_from_db()
    return fragment_key(
        "registry-item",
        item.pk,
        item.cache_version,
        True,
        registry.phase(),
        registry.slug,
        language,
        code_version(),
    )


def _gifts_key(registry: Registry, variant: str = "", language: str = "en") -> str:
    registry.refresh_from_db()
    return fragment_key(
        "registry-gifts",
        registry.pk,
        registry.cache_version,
        variant,
        True,
        registry.phase(),
        language,
        code_version(),
    )


def test_fragment_keys_follow_the_versions(owner_client, registry, items):
    teapot, hammock, _ = items
    owner_client.get(public_url(registry))
    old_teapot, old_hammock, old_list = (
        _item_key(teapot, registry),
        _item_key(hammock, registry),
        _gifts_key(registry),
    )
    assert "Teapot" in cache.get(old_teapot)
    assert "Hammock" in cache.get(old_hammock)
    assert "Teapot" in cache.get(old_list)

    teapot.title = "Blue teapot"
    item_services.update_item(teapot)

    assert _item_key(teapot, registry) != old_teapot
    assert _gifts_key(registry) != old_list
    assert _item_key(hammock, registry) == old_hammock  # the other cards keep their fragments
    owner_client.get(public_url(registry))
    assert "Blue teapot" in cache.get(_item_key(teapot, registry))
    assert "Blue teapot" in cache.get(_gifts_key(registry))


def test_the_list_fragment_differs_by_filter_but_not_by_unknown_parameters(owner_client, registry, items):
    owner_client.get(public_url(registry, category="Kitchen", utm_source="newsletter"))

    assert cache.get(_gifts_key(registry, "category=Kitchen")) is not None
    assert cache.get(_gifts_key(registry)) is None


def test_each_language_has_fragments_of_its_own(client, registry, items):
    client.get(public_url(registry), HTTP_ACCEPT_LANGUAGE="de")

    assert cache.get(_gifts_key(registry, language="de")) is not None
    assert cache.get(_item_key(items[0], registry, language="de")) is not None
    assert cache.get(_gifts_key(registry)) is None  # an English reader's page is not the German one


def test_one_reservation_re_renders_one_card(client, registry, items):
    teapot = items[0]
    first = client.get(public_url(registry))
    assert card_renders(first) == 3

    reservations.reserve(teapot.pk, 1, "Pat", "pat@example.com")
    after = client.get(public_url(registry))

    assert card_renders(after) == 1
    card = after.content.decode().split(f'id="item-{teapot.pk}"')[1].split("</article>")[0]
    assert "Reserved — thank you!" in card


def test_a_warm_page_renders_nothing(owner_client, registry, items):
    client = Client()  # a guest (owner_client is the logged-in "client")
    client.get(public_url(registry))
    owner_client.get(public_url(registry))

    assert client.get(public_url(registry)).templates == []  # the whole page from one cache entry
    owner = owner_client.get(public_url(registry))
    assert card_renders(owner) == 0  # the owner's page: base.html around cached fragments
    assert "registries/public.html" in [t.name for t in owner.templates]


# After each change guests can see, the next page shows it -------------------
# Each change is a generator: what it needs is made before the first yield
# (then the page is warmed), the change itself before the second, which
# yields what the page must now show (in this order) and no longer show.
def _edit(registry, items):
    yield
    items[0].title = "Copper teapot"
    item_services.update_item(items[0])
    yield ["Copper teapot"], ["<h3>Teapot</h3>"]


def _add(registry, items):
    yield
    item_services.add_item(registry, Item(title="Picnic blanket", price=Decimal("40")))
    yield ["Picnic blanket"], []


def _hide(registry, items):
    yield
    item_services.set_hidden(items[0], True)
    yield [], ["Teapot"]


def _delete(registry, items):
    yield
    item_services.delete_item(items[0])
    yield [], ["Teapot"]


def _reserve(registry, items):
    yield
    reservations.reserve(items[1].pk, 1, "Pat", "pat@example.com")
    yield ["1 of 2 left"], ["2 of 2 left"]


def _change_quantity(registry, items):
    reservation = reservations.reserve(items[1].pk, 1, "Pat", "pat@example.com")
    yield
    reservations.change_quantity(reservation.pk, 2)
    yield ["Reserved — thank you!"], ["1 of 2 left"]


def _cancel(registry, items):
    reservation = reservations.reserve(items[0].pk, 1, "Pat", "pat@example.com")
    yield
    reservations.cancel(reservation.pk)
    yield ["1 of 1 left"], ["Reserved — thank you!"]


def _received_elsewhere(registry, items):
    yield
    item_services.set_received_elsewhere(items[1], 1)
    yield ["1 of 2 left"], ["2 of 2 left"]


def _reorder(registry, items):
    teapot, hammock, card = items
    yield
    item_services.reorder_items(registry, [card.pk, hammock.pk, teapot.pk])
    yield ["<h3>Gift card</h3>", "<h3>Hammock</h3>", "<h3>Teapot</h3>"], []


def _move(registry, items):
    yield
    item_services.move_item(items[2], "up")
    yield ["<h3>Teapot</h3>", "<h3>Gift card</h3>", "<h3>Hammock</h3>"], []


def _registry_edit(registry, items):
    yield
    registry.welcome_message = "See you by the lake!"
    registry_services.update_registry(registry)
    yield ["See you by the lake!"], ["Thank you for celebrating with us!"]


CHANGES = {
    "edit": _edit,
    "add": _add,
    "hide": _hide,
    "delete": _delete,
    "reserve": _reserve,
    "change quantity": _change_quantity,
    "cancel": _cancel,
    "received elsewhere": _received_elsewhere,
    "reorder": _reorder,
    "move": _move,
    "registry edit": _registry_edit,
}


@pytest.mark.parametrize("visitor", ["guest", "owner"])
@pytest.mark.parametrize("change", CHANGES)
def test_after_a_change_the_page_shows_it(request, visitor, change, registry, items):
    client = request.getfixturevalue("client" if visitor == "guest" else "owner_client")
    steps = CHANGES[change](registry, items)
    next(steps)
    assert client.get(public_url(registry)).status_code == 200
    assert client.get(public_url(registry)).status_code == 200  # warm: from the cache

    shown, gone = next(steps)

    content = client.get(public_url(registry)).content.decode()
    positions = [content.index(text) for text in shown]
    assert positions == sorted(positions)
    for text in gone:
        assert text not in content


def test_after_a_pledge_the_progress_shows_it(client, registry, couple):
    upgrade(registry, couple)
    bike = group_gift(registry, price="300.00", title="Tandem bike")
    client.get(public_url(registry))
    client.get(public_url(registry))

    AMOUNTS.take(bike.pk, Decimal("75"), "Pat", "pat@example.com")

    assert "$75.00 of $300.00 pledged" in client.get(public_url(registry)).content.decode()


def test_a_new_address_changes_every_reserve_link(client, registry, items):
    client.get(public_url(registry))
    registry.slug = "sam-and-alex"
    registry_services.update_registry(registry)

    content = client.get(public_url(registry)).content.decode()

    assert reverse("reservations:reserve", args=["sam-and-alex", items[0].pk]) in content
    assert "/r/alex-and-sam/" not in content


def test_cached_parts_hold_no_csrf_token(owner_client, registry, items):
    ItemFactory(registry=registry, title="Lamp")
    owner_client.get(public_url(registry))
    Client().get(public_url(registry))

    for key in (_gifts_key(registry), *(_item_key(item, registry) for item in registry.items.all())):
        fragment = cache.get(key)
        assert fragment is not None
        assert "csrfmiddlewaretoken" not in fragment


def test_switching_group_gifts_off_shows_on_a_warm_page(
    client, registry, couple, django_capture_on_commit_callbacks
):
    upgrade(registry, couple)
    bike = group_gift(registry, price="300.00", title="Tandem bike")
    pledge_url = reverse("reservations:pledge", args=[registry.slug, bike.pk])
    assert pledge_url in client.get(public_url(registry)).content.decode()
    client.get(public_url(registry))

    switch_off(flags.GROUP_GIFTS, django_capture_on_commit_callbacks)

    assert pledge_url not in client.get(public_url(registry)).content.decode()
