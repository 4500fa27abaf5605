"""A registry with gifts in two currencies says so, and sorts by price within each currency."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from apps.registries.models import Registry
from tests.factories import ItemFactory

pytestmark = pytest.mark.django_db


def _page(client, registry, **params) -> str:
    return client.get(reverse("registries:public", args=[registry.slug]), params).content.decode()


def _order(html: str, titles: list[str]) -> list[str]:
    return sorted(titles, key=html.index)


@pytest.fixture
def two_currencies(registry):
    Registry.objects.filter(pk=registry.pk).update(currency="EUR")
    registry.refresh_from_db()
    for title, price, currency in [
        ("Kettle", "90.00", "USD"),
        ("Vase", "15.00", "EUR"),
        ("Lamp", "40.00", "USD"),
        ("Chairs", "300.00", "EUR"),
    ]:
        ItemFactory(registry=registry, title=title, price=Decimal(price), currency=currency)
    return registry


def test_the_page_says_the_gifts_are_in_two_currencies(client, two_currencies):
    html = _page(client, two_currencies)

    assert "These gifts are priced in euros and US dollars." in html
    assert "€15.00" in html and "$90.00" in html


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("price", ["Vase", "Chairs", "Lamp", "Kettle"]),
        ("-price", ["Chairs", "Vase", "Kettle", "Lamp"]),
    ],
)
def test_sorting_by_price_goes_currency_by_currency_the_registrys_first(
    client, two_currencies, sort, expected
):
    html = _page(client, two_currencies, sort=sort)

    assert _order(html, ["Kettle", "Vase", "Lamp", "Chairs"]) == expected


def test_guests_may_pick_one_currency(client, two_currencies):
    html = _page(client, two_currencies, currency="USD", sort="price")

    assert _order(html, ["Kettle", "Lamp"]) == ["Lamp", "Kettle"]
    assert "Vase" not in html and "Chairs" not in html
    assert "These gifts are priced in" not in html  # one currency shown: nothing mixed


def test_one_currency_says_nothing_and_offers_no_currency_filter(client, registry, items):
    html = _page(client, registry, sort="price")

    assert "priced in" not in html
    assert 'name="currency"' not in html


def test_the_note_names_the_currencies_in_the_readers_language(client, two_currencies):
    url = reverse("registries:public", args=[two_currencies.slug])
    with translation.override("de"):  # (and the browser asks for German, for LocaleMiddleware)
        form_note = client.get(url, HTTP_ACCEPT_LANGUAGE="de").content.decode()

    # The words around are the translators'; the names and the amounts are German already.
    assert "Euro und US-Dollar" in form_note
    assert "15,00\xa0€" in form_note
