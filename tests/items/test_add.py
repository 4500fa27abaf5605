"""items:add — the couple adds a gift."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.items.models import Item
from apps.registries.models import Registry
from tests.factories import image_file

pytestmark = pytest.mark.django_db


def _url(registry) -> str:
    return reverse("items:add", args=[registry.slug])


def test_the_form_offers_the_registrys_categories(owner_client, registry, items):
    response = owner_client.get(_url(registry))
    html = response.content.decode()

    assert response.status_code == 200
    assert '<datalist id="category-options">' in html
    assert '<option value="Garden">' in html
    assert '<option value="Kitchen">' in html
    assert 'list="category-options"' in html
    assert 'name="quantity" value="1"' in html


def test_adding_a_gift_puts_it_at_the_end_and_bumps_the_registry(owner_client, registry, items, item_data):
    response = owner_client.post(_url(registry), item_data(image=image_file("machine.png")))

    item = Item.objects.get(title="Espresso machine")
    assert response.status_code == 302
    assert response["Location"] == reverse("registries:dashboard", args=[registry.slug]) + f"#item-{item.pk}"
    assert item.registry == registry
    assert item.position == 4
    assert item.price == Decimal("249.99")
    assert item.currency == "EUR"
    assert item.priority == Item.Priority.MOST_WANTED
    assert item.store_url == "https://shop.example/espresso"
    assert item.image.name.startswith("items/")
    assert list(registry.items.values_list("title", flat=True)) == [
        "Teapot",
        "Hammock",
        "Gift card",
        "Espresso machine",
    ]
    assert Registry.objects.get(pk=registry.pk).cache_version == registry.cache_version + 1


def test_add_and_add_another(owner_client, registry, item_data):
    response = owner_client.post(_url(registry), item_data(another="1"))

    assert response["Location"] == _url(registry)
    assert Item.objects.filter(registry=registry).count() == 1


def test_only_the_title_is_required(owner_client, registry):
    owner_client.post(
        _url(registry), {"title": "A surprise", "quantity": "1", "currency": "USD", "priority": "2"}
    )

    item = Item.objects.get()
    assert (item.title, item.price, item.quantity, item.unlimited) == ("A surprise", None, 1, False)


def test_unlimited_needs_no_quantity(owner_client, registry, item_data):
    owner_client.post(_url(registry), item_data(quantity="", unlimited="on"))

    item = Item.objects.get()
    assert item.unlimited is True
    assert item.quantity == 1


def test_the_browser_lets_unlimited_go_without_a_quantity(owner_client, registry):
    """No ``required`` on the quantity, or the browser blocks "unlimited" with a blank quantity."""
    html = owner_client.get(_url(registry)).content.decode()
    quantity_input = re.search(r'<input[^>]*name="quantity"[^>]*>', html).group()

    assert "required" not in quantity_input
    assert re.search(r'<input[^>]*name="title"[^>]*required', html)
    assert "Quantity wanted</label>" in html  # not marked "(optional)": blank needs "unlimited"


def test_a_blank_quantity_without_unlimited_is_still_refused(owner_client, registry, item_data):
    response = owner_client.post(_url(registry), item_data(quantity=""))

    assert "How many would you like? Enter a number, or tick “unlimited”." in response.content.decode()
    assert not Item.objects.exists()


@pytest.mark.parametrize(
    ("price", "message"),
    [
        ("-5", "The price must be more than zero."),
        ("0", "The price must be more than zero."),
        ("1000000.01", "The price can be at most 1,000,000."),
        ("99999999999999", "The price can be at most 1,000,000."),
        ("1e9", "The price can be at most 1,000,000."),
        ("12.345", "Use at most 2 decimals"),
        ("NaN", "Enter the price as a number"),
        ("Infinity", "Enter the price as a number"),
        ("twelve", "Enter the price as a number"),
    ],
)
def test_bad_prices_are_refused(owner_client, registry, item_data, price, message):
    response = owner_client.post(_url(registry), item_data(price=price))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Item.objects.exists()


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("0", "Ask for at least 1"),
        ("-1", "Ask for at least 1"),
        ("1001", "You can ask for at most 1000"),
        ("", "How many would you like?"),
        ("2.5", "Enter a whole number."),
    ],
)
def test_bad_quantities_are_refused(owner_client, registry, item_data, quantity, message):
    response = owner_client.post(_url(registry), item_data(quantity=quantity))

    assert message in response.content.decode()
    assert not Item.objects.exists()


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "ftp://shop.example/file", "data:text/html,hi", "http://", "not a link at all"],
)
def test_store_links_must_be_web_links(owner_client, registry, item_data, url):
    response = owner_client.post(_url(registry), item_data(store_url=url))

    assert "Enter a web link starting with http:// or https://." in response.content.decode()
    assert not Item.objects.exists()


def test_a_store_link_without_scheme_gets_https(owner_client, registry, item_data):
    owner_client.post(_url(registry), item_data(store_url="shop.example/teapot"))

    assert Item.objects.get().store_url == "https://shop.example/teapot"


def test_a_text_file_is_not_a_picture(owner_client, registry, item_data):
    fake = SimpleUploadedFile("teapot.jpg", b"just some text", content_type="image/jpeg")

    response = owner_client.post(_url(registry), item_data(image=fake))

    assert "isn&#x27;t a picture we can read" in response.content.decode()
    assert not Item.objects.exists()


def test_an_oversized_picture_is_refused(owner_client, registry, item_data, settings):
    settings.WHISPER_MAX_IMAGE_BYTES = 2000
    big = image_file("big.png", size=(600, 600), color="#abcdef")

    response = owner_client.post(_url(registry), item_data(image=big))

    assert "the limit is 2.0" in response.content.decode()
    assert not Item.objects.exists()


def test_html_in_the_title_comes_back_escaped(owner_client, registry, item_data):
    owner_client.post(_url(registry), item_data(title='<script>alert("x")</script>'))

    html = owner_client.get(reverse("registries:dashboard", args=[registry.slug])).content.decode()

    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_another_couple_cannot_add_to_the_registry(other_client, registry, item_data):
    response = other_client.post(_url(registry), item_data())

    assert response.status_code == 404
    assert not Item.objects.exists()


def test_a_new_gift_starts_in_the_registrys_currency(owner_client, registry):
    Registry.objects.filter(pk=registry.pk).update(currency="CHF")

    html = owner_client.get(_url(registry)).content.decode()

    assert '<option value="CHF" selected>' in html


def test_a_failed_submit_keeps_the_chosen_picture(owner_client, registry, item_data):
    """Rough edge 11: the picture passed its checks; the title was missing. Sent again
    without choosing the picture again, the gift gets that picture."""
    failed = owner_client.post(_url(registry), item_data(title="", image=image_file("machine.png")))
    html = failed.content.decode()
    assert failed.status_code == 200
    assert "We kept the picture you chose" in html
    kept = re.search(r'name="image_kept" value="([^"]+)"', html).group(1)

    response = owner_client.post(_url(registry), item_data(image_kept=kept))

    assert response.status_code == 302
    item = Item.objects.get(title="Espresso machine")
    assert item.image and item.image.name.startswith("items/")


def test_a_forged_kept_picture_is_ignored(owner_client, registry, item_data):
    response = owner_client.post(_url(registry), item_data(image_kept="pending/../../etc/passwd"))

    assert response.status_code == 302
    assert not Item.objects.get(title="Espresso machine").image
