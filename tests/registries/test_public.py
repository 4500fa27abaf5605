"""registries:public — the registry page guests see: hero, gift cards, filters, sort, robots."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import escape

from apps.items.models import Item
from apps.registries.models import Registry
from tests.factories import ItemFactory, RegistryFactory, ReservationFactory, image_file


@pytest.fixture(autouse=True)
def _own_media_root(settings, tmp_path):
    """Thumbnails go to this test's own folder (other test runs clean the shared one)."""
    settings.MEDIA_ROOT = tmp_path


def _get(client, registry, **params):
    return client.get(reverse("registries:public", args=[registry.slug]), params)


def _titles(response) -> list[str]:
    """The gift titles on the page, in order."""
    return [item.title for item in response.context["items"]]


def _order_on_page(content: str, *titles: str) -> list[int]:
    return [content.index(f"<h3>{title}</h3>") for title in titles]


def test_hero_shows_the_couple(client, registry):
    Registry.objects.filter(pk=registry.pk).update(
        event_date=datetime.date(2027, 6, 12), welcome_message="Thank you!\nSee you <there>"
    )
    response = _get(client, registry)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Alex &amp; Sam" in content
    assert "Saturday, June 12, 2027" in content
    assert "Lisbon" in content
    assert "Thank you!<br>See you &lt;there&gt;" in content


def test_cover_photo_is_a_thumbnail(client, registry):
    registry.cover_photo = image_file("cover.png", size=(2000, 1200))
    registry.save()
    content = _get(client, registry).content.decode()
    assert 'class="hero__cover" src="/media/cache/' in content
    assert 'width="1100" height="320"' in content


def test_unknown_slug_is_not_found(client, db):
    assert client.get(reverse("registries:public", args=["nobody-here"])).status_code == 404


def test_cards_show_what_guests_need(client, registry, items):
    teapot, hammock, gift_card = items
    Item.objects.filter(pk=teapot.pk).update(priority=Item.Priority.MOST_WANTED, note="Blue, please")
    ReservationFactory(item=hammock)
    gone = ItemFactory(registry=registry, title="Vase", quantity=1)
    ReservationFactory(item=gone)

    content = _get(client, registry).content.decode()

    teapot_card = content[content.index(f'id="item-{teapot.pk}"') : content.index(f'id="item-{hammock.pk}"')]
    assert "Most wanted" in teapot_card
    assert "$35.00" in teapot_card
    assert "Blue, please" in teapot_card
    assert "1 of 1 left" in teapot_card
    assert reverse("reservations:reserve", args=[registry.slug, teapot.pk]) in teapot_card

    assert "1 of 2 left" in content
    assert "Any number welcome" in content
    assert "Reserved — thank you!" in content
    assert reverse("reservations:reserve", args=[registry.slug, gift_card.pk]) in content
    assert reverse("reservations:reserve", args=[registry.slug, gone.pk]) not in content
    assert content.count("Most wanted") == 1 + 1  # the badge, and the sort option


def test_item_images_are_thumbnails(client, registry):
    ItemFactory(registry=registry, title="Lamp", image=image_file("lamp.png", size=(800, 600)))
    content = _get(client, registry).content.decode()
    assert 'class="item-card__image" src="/media/cache/' in content
    assert 'width="480" height="360"' in content


def test_hidden_items_never_show(client, registry, items):
    ItemFactory(registry=registry, title="Secret surprise", category="Hidden things", hidden=True)
    for params in ({}, {"category": "Hidden things"}, {"sort": "price"}, {"available": "on"}):
        content = _get(client, registry, **params).content.decode()
        assert "Secret surprise" not in content
        assert '<option value="Hidden things"' not in content


def test_user_text_is_escaped(client, registry):
    ItemFactory(registry=registry, title="<img src=x onerror=alert(1)>", note="<b>bold</b>")
    content = _get(client, registry).content.decode()
    assert "<img src=x" not in content
    assert "&lt;img src=x onerror=alert(1)&gt;" in content
    assert "&lt;b&gt;bold&lt;/b&gt;" in content


def test_empty_registry_says_so(client, registry):
    content = _get(client, registry).content.decode()
    assert "Alex and Sam haven't added any gifts yet." in content


# Filters and sort -----------------------------------------------------------
def test_category_choices_come_from_the_registry(client, registry, items):
    ItemFactory(registry=RegistryFactory(), category="Elsewhere")
    content = _get(client, registry).content.decode()
    assert '<option value="Garden">Garden</option>' in content
    assert '<option value="Kitchen">Kitchen</option>' in content
    assert "Elsewhere" not in content


def test_filter_by_category(client, registry, items):
    response = _get(client, registry, category="Kitchen")
    assert _titles(response) == ["Teapot"]
    assert "1 gift matches your filters." in response.content.decode()


def test_filter_by_price_range(client, registry, items):
    ItemFactory(registry=registry, title="Surprise me", price=None)
    assert _titles(_get(client, registry, min_price="40")) == ["Hammock", "Gift card"]
    assert _titles(_get(client, registry, max_price="50")) == ["Teapot", "Gift card"]
    assert _titles(_get(client, registry, min_price="40", max_price="100")) == ["Gift card"]


def test_filter_still_available(client, registry, items):
    ReservationFactory(item=items[0])
    assert _titles(_get(client, registry)) == ["Teapot", "Hammock", "Gift card"]
    assert _titles(_get(client, registry, available="on")) == ["Hammock", "Gift card"]


def test_sorts(client, registry, items):
    teapot, _, gift_card = items
    Item.objects.filter(pk=gift_card.pk).update(priority=Item.Priority.MOST_WANTED)
    Item.objects.filter(pk=teapot.pk).update(priority=Item.Priority.NICE_TO_HAVE)
    ItemFactory(registry=registry, title="Surprise me", price=None, position=9)

    # Guests see the couple's order by default, as on the dashboard (rough edge 3);
    # "most wanted first" is a sort of its own.
    assert _titles(_get(client, registry)) == ["Teapot", "Hammock", "Gift card", "Surprise me"]
    response = _get(client, registry, sort="priority")
    assert _titles(response) == ["Gift card", "Hammock", "Surprise me", "Teapot"]
    content = response.content.decode()
    assert _order_on_page(content, "Gift card", "Hammock", "Surprise me", "Teapot") == sorted(
        _order_on_page(content, "Gift card", "Hammock", "Surprise me", "Teapot")
    )
    # Gifts without a price come last either way.
    assert _titles(_get(client, registry, sort="price")) == ["Teapot", "Gift card", "Hammock", "Surprise me"]
    assert _titles(_get(client, registry, sort="-price")) == ["Hammock", "Gift card", "Teapot", "Surprise me"]


def test_nothing_matches(client, registry, items):
    content = _get(client, registry, category="Garden", max_price="10").content.decode()
    assert "No gifts match these filters." in content


@pytest.mark.parametrize(
    ("params", "ignored"),
    [
        ({"min_price": "cheap"}, "Min price"),
        ({"max_price": "-5"}, "Max price"),
        ({"max_price": "1e400"}, "Max price"),
        ({"min_price": "NaN"}, "Min price"),
        ({"category": "Nope"}, "Category"),
    ],
)
def test_invalid_filters_are_ignored_with_a_message(client, registry, items, params, ignored):
    response = _get(client, registry, **params)
    assert response.status_code == 200
    content = response.content.decode()
    assert escape(f"We ignored a filter we couldn't understand: {ignored}.") in content
    assert _titles(response) == ["Teapot", "Hammock", "Gift card"]


def test_a_price_range_upside_down_says_so_once(client, registry, items):
    response = _get(client, registry, min_price="500", max_price="100")
    content = response.content.decode()

    assert content.count("The maximum price is below the minimum.") == 1
    assert "We ignored" not in content
    # The maximum is dropped, the minimum kept.
    assert _titles(_get(client, registry, min_price="100", max_price="10")) == ["Hammock"]


@pytest.mark.parametrize("sort", ["nope", "title; DROP TABLE"])
def test_an_unknown_sort_says_so_plainly_and_uses_the_default(client, registry, items, sort):
    response = _get(client, registry, sort=sort)
    content = response.content.decode()

    assert escape("We don't know that order, so the gifts are shown in the couple's order.") in content
    assert "Select a valid choice" not in content
    assert "is not one of" not in content
    assert "We ignored" not in content
    assert _titles(response) == _titles(_get(client, registry))


def test_valid_filters_apply_next_to_an_invalid_one(client, registry, items):
    response = _get(client, registry, category="Kitchen", min_price="cheap")
    assert _titles(response) == ["Teapot"]
    assert escape("We ignored a filter we couldn't understand: Min price.") in response.content.decode()


def test_post_is_not_allowed(client, registry):
    assert client.post(reverse("registries:public", args=[registry.slug])).status_code == 405


# Robots and privacy ---------------------------------------------------------
def test_public_registries_are_indexable(client, registry):
    response = _get(client, registry)
    assert "X-Robots-Tag" not in response
    assert 'name="robots"' not in response.content.decode()


def test_unlisted_registries_are_not_indexed(client, registry):
    Registry.objects.filter(pk=registry.pk).update(privacy=Registry.Privacy.UNLISTED)
    response = _get(client, registry)
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex"
    assert '<meta name="robots" content="noindex">' in response.content.decode()


# The couple looking at their own page ----------------------------------------
def test_owner_sees_a_preview_note(owner_client, registry, items):
    content = _get(owner_client, registry).content.decode()
    assert "This is your registry as your guests see it." in content
    assert reverse("registries:dashboard", args=[registry.slug]) in content


def test_owner_who_wants_no_spoilers_does_not_see_what_was_reserved(owner_client, registry, items):
    Registry.objects.filter(pk=registry.pk).update(spoilers=Registry.Spoilers.NONE)
    ReservationFactory(item=items[0])
    content = _get(owner_client, registry, available="on").content.decode()
    assert "Reserved — thank you!" not in content
    assert "of 2 left" not in content
    assert "Still available only" not in content
    assert "Teapot" in content  # the filter is ignored, so reserved gifts stay listed


def test_guests_see_reservations_whatever_the_couples_spoiler_setting(client, registry, items):
    Registry.objects.filter(pk=registry.pk).update(spoilers=Registry.Spoilers.NONE)
    ReservationFactory(item=items[0])
    assert "Reserved — thank you!" in _get(client, registry).content.decode()


def test_prices_show_two_decimals_and_grouping(client, registry):
    ItemFactory(registry=registry, title="Sofa", price=Decimal("1234.5"), currency="EUR")
    assert "€1,234.50" in _get(client, registry).content.decode()


def test_a_long_list_shows_the_first_gifts_and_the_rest_on_asking(client, registry):
    ItemFactory.create_batch(30, registry=registry)

    first = _get(client, registry).content.decode()
    assert first.count('<article class="item-card') == 24
    assert "Show all 30 gifts" in first
    assert "30 gifts." in first

    every = _get(client, registry, show="all").content.decode()
    assert every.count('<article class="item-card') == 30
    assert "Show all 30 gifts" not in every
    # With a filter, "show all" keeps it.
    filtered = _get(client, registry, sort="-price").content.decode()
    assert "sort=-price&amp;show=all" in filtered


def test_a_gift_without_a_picture_gets_a_designed_placeholder(client, registry):
    ItemFactory(registry=registry, title="Teapot", category="Kitchen")
    ItemFactory(registry=registry, title="hammock", category="")

    content = _get(client, registry).content.decode()

    assert 'class="item-card__placeholder placeholder--3" aria-hidden="true"><span>K</span>' in content
    assert 'class="item-card__placeholder placeholder--5" aria-hidden="true"><span>H</span>' in content
