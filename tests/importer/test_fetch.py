"""The importer's fetch and parse, against a real loopback store."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from apps.importer.http import FetchError
from apps.importer.services import fetch_product

pytestmark = pytest.mark.django_db


def test_json_ld_product_with_graph_and_offer_list(store):
    info = fetch_product(f"{store}/jsonld")
    assert info.title == "Copper Kettle 1.5 L"
    assert info.description == "A kettle &amp; more."
    assert info.price == Decimal("89.90")
    assert info.currency == "EUR"
    assert info.image_url == f"{store}/img/kettle.jpg"


def test_open_graph_and_product_meta_tags(store):
    info = fetch_product(f"{store}/og")
    assert info.title == "Linen Bedding Set"
    assert info.price == Decimal("1299.00")
    assert info.currency == "USD"
    assert info.image_url.endswith("/img/bedding.jpg")


def test_title_description_and_microdata_fallbacks(store):
    info = fetch_product(f"{store}/meta")
    assert info.title == "Garden Hammock"
    assert info.description == "Two-person hammock."
    assert info.price == Decimal("120.00")
    assert info.currency == "GBP"


def test_broken_markup_still_gives_what_it_can(store):
    info = fetch_product(f"{store}/broken")
    assert "Vase" in info.title


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/notfound", "error (404)"),
        ("/pdf", "isn't a web page"),
        ("/huge", "too large"),
        ("/slow", "too long"),
        ("/empty", "couldn't find a product"),
        ("/redirect/9", "redirected too many times"),
    ],
)
def test_failures_give_a_message(store, path, message):
    with pytest.raises(FetchError, match=re.escape(message)):
        fetch_product(f"{store}{path}")


def test_garbage_bytes_do_not_crash(store):
    with pytest.raises(FetchError):
        fetch_product(f"{store}/garbage")


def test_redirect_chain_is_followed(store, store_hits):
    info = fetch_product(f"{store}/redirect/3")
    assert info.title == "Linen Bedding Set"
    assert store_hits == ["/redirect/3", "/redirect/2", "/redirect/1", "/redirect/0", "/og"]


def test_redirect_to_an_internal_address_is_refused(store, store_hits):
    with pytest.raises(FetchError, match="private or internal"):
        fetch_product(f"{store}/redirect-internal")
    assert store_hits == ["/redirect-internal"]


def test_without_the_allow_setting_the_same_fetch_is_refused(store, settings, store_hits):
    settings.IMPORTER_ALLOWED_ADDRESSES = []
    with pytest.raises(FetchError, match="private or internal"):
        fetch_product(f"{store}/og")
    assert store_hits == []  # refused before any request was sent


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost/og",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/",
        "http://[::1]/",
        "http://0.0.0.0/",
        "ftp://example.com/x",
        "file:///etc/passwd",
        "http://user:pw@example.com/",
    ],
)
def test_internal_and_odd_urls_are_refused(store, url):
    with pytest.raises(FetchError):
        fetch_product(url)


def test_results_are_cached_by_url(store, store_hits):
    fetch_product(f"{store}/jsonld")
    fetch_product(f"{store}/jsonld")
    assert store_hits == ["/jsonld"]


def test_fetch_sends_a_clear_user_agent(store, settings):
    from apps.importer.http import fetch

    response = fetch(f"{store}/og", accept=("text/html",), max_bytes=100_000)
    assert response.status == 200
    assert "WhisperBot" in settings.IMPORTER_USER_AGENT
