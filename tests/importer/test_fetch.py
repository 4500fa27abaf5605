"""The importer's fetch and parse, against a real loopback store."""

from __future__ import annotations

import socket
import time
from decimal import Decimal

import pytest

from apps.importer import errors
from apps.importer.http import Deadline, fetch
from apps.importer.services import HTML_TYPES, fetch_product

pytestmark = pytest.mark.django_db


def test_json_ld_product_with_graph_and_offer_list(store, deadline):
    info = fetch_product(f"{store}/jsonld", deadline)
    assert info.title == "Copper Kettle 1.5 L"
    assert info.description == "A kettle &amp; more."
    assert info.price == Decimal("89.90")
    assert info.currency == "EUR"
    assert info.image_url == f"{store}/img/kettle.jpg"


def test_open_graph_and_product_meta_tags(store, deadline):
    info = fetch_product(f"{store}/og", deadline)
    assert info.title == "Linen Bedding Set"
    assert info.price == Decimal("1299.00")
    assert info.currency == "USD"
    assert info.image_url.endswith("/img/bedding.jpg")


def test_title_description_and_microdata_fallbacks(store, deadline):
    info = fetch_product(f"{store}/meta", deadline)
    assert info.title == "Garden Hammock"
    assert info.description == "Two-person hammock."
    assert info.price == Decimal("120.00")
    assert info.currency == "GBP"


def test_broken_markup_still_gives_what_it_can(store, deadline):
    info = fetch_product(f"{store}/broken", deadline)
    assert "Vase" in info.title


def test_nul_characters_and_lone_surrogates_are_dropped(store, deadline):
    info = fetch_product(f"{store}/nul", deadline)
    assert (info.title, info.description) == ("Teapot", "Cast iron")
    assert info.image_url == f"{store}/img/teapot.jpg"


@pytest.mark.parametrize(
    ("path", "code", "words"),
    [
        ("/notfound", "http_error", "error (404)"),
        ("/pdf", "not_html", "isn't a web page"),
        ("/huge", "too_large", "too large"),
        ("/slow", "timeout", "too long"),
        ("/empty", "no_product", "couldn't find a product"),
        ("/redirect/9", "redirects", "redirected too many times"),
    ],
)
def test_each_failure_has_its_code_and_message(store, deadline, path, code, words):
    with pytest.raises(errors.ImportFailed) as failure:
        fetch_product(f"{store}{path}", deadline)
    assert failure.value.code == code
    assert words in str(failure.value)


@pytest.mark.parametrize("path", ["/trickle", "/trickle-headers"])
def test_the_deadline_holds_whatever_the_server_trickles(store, settings, path):
    # A byte every 0.4 s never trips the 1 s read timeout: only the deadline ends it.
    settings.IMPORTER_TOTAL_TIMEOUT = 1.2
    started = time.monotonic()
    with Deadline(settings.IMPORTER_TOTAL_TIMEOUT) as deadline, pytest.raises(errors.TimedOut):
        fetch_product(f"{store}{path}", deadline)
    assert time.monotonic() - started < 2.0


def test_the_deadline_spans_every_fetch_made_under_it(store, settings):
    settings.IMPORTER_TOTAL_TIMEOUT = 1.2
    started = time.monotonic()
    with Deadline(settings.IMPORTER_TOTAL_TIMEOUT) as deadline:
        fetch_product(f"{store}/redirect/2", deadline)  # each hop fast
        time.sleep(0.5)
        with pytest.raises(errors.TimedOut):
            fetch(f"{store}/trickle", accept=HTML_TYPES, max_bytes=10**6, deadline=deadline)
    assert time.monotonic() - started < 2.0


def test_a_spent_deadline_fetches_nothing(store, store_hits):
    with Deadline(0.01) as deadline:
        time.sleep(0.05)
        with pytest.raises(errors.TimedOut):
            fetch_product(f"{store}/og", deadline)
    assert store_hits == []


def test_garbage_bytes_do_not_crash(store, deadline):
    with pytest.raises(errors.ImportFailed):
        fetch_product(f"{store}/garbage", deadline)


def test_redirect_chain_is_followed(store, store_hits, deadline):
    info = fetch_product(f"{store}/redirect/3", deadline)
    assert info.title == "Linen Bedding Set"
    assert store_hits == ["/redirect/3", "/redirect/2", "/redirect/1", "/redirect/0", "/og"]


def test_redirect_to_an_internal_address_is_refused(store, store_hits, deadline):
    with pytest.raises(errors.Blocked):
        fetch_product(f"{store}/redirect-internal", deadline)
    assert store_hits == ["/redirect-internal"]


def test_without_the_allow_setting_the_same_fetch_is_refused(store, settings, store_hits, deadline):
    settings.IMPORTER_ALLOWED_ADDRESSES = []
    with pytest.raises(errors.Blocked, match="private or internal"):
        fetch_product(f"{store}/og", deadline)
    assert store_hits == []  # refused before any request was sent


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://localhost/og", "blocked"),
        ("http://169.254.169.254/latest/meta-data/", "blocked"),
        ("http://10.0.0.1/", "blocked"),
        ("http://[::1]/", "blocked"),
        ("http://0.0.0.0/", "blocked"),
        ("http://[64:ff9b::a9fe:a9fe]/latest/meta-data/", "blocked"),
        ("http://[::ffff:127.0.0.1]/", "blocked"),
        ("http://[2002:7f00:1::]/", "blocked"),
        ("http://2130706433/", "blocked"),  # 127.0.0.1 written as one number
        ("http://no-such-host.invalid/", "dns"),
        ("http://shop.example:99999/", "bad_link"),
        ("ftp://example.com/x", "bad_link"),
        ("file:///etc/passwd", "bad_link"),
        ("http://user:pw@example.com/", "bad_link"),
    ],
)
def test_internal_unresolvable_and_odd_urls_are_refused_each_with_its_code(store, deadline, url, code):
    with pytest.raises(errors.ImportFailed) as failure:
        fetch_product(url, deadline)
    assert failure.value.code == code


def test_an_unresolvable_name_is_not_called_a_private_address(store, deadline):
    with pytest.raises(errors.Unresolvable) as failure:
        fetch_product("http://no-such-host.invalid/p", deadline)
    assert "no-such-host.invalid" in str(failure.value)
    assert "private" not in str(failure.value)


def test_fetch_sends_a_clear_user_agent(store, settings, deadline):
    response = fetch(f"{store}/og", accept=("text/html",), max_bytes=100_000, deadline=deadline)
    assert response.status == 200
    assert "WhisperBot" in settings.IMPORTER_USER_AGENT


def test_the_connection_goes_to_the_checked_address_without_a_second_lookup(store, monkeypatch, deadline):
    # A name the guard resolves once; a second lookup (unbounded, and possibly another
    # answer: DNS rebinding) would hang here.
    port = int(store.rsplit(":", 1)[1])
    real_getaddrinfo = socket.getaddrinfo
    lookups = []

    def shop_test(host, *args, **kwargs):
        if host != "shop.test":
            return real_getaddrinfo(host, *args, **kwargs)
        lookups.append(host)
        if len(lookups) > 1:
            time.sleep(5)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr(socket, "getaddrinfo", shop_test)
    info = fetch_product(f"http://shop.test:{port}/og", deadline)
    assert info.title == "Linen Bedding Set"
    assert lookups == ["shop.test"]
