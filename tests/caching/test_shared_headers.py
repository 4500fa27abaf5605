"""What the caches in front (nginx, a CDN) may share: the headers of every guest-facing page.

Shared: the public registry page and the marketing pages for a visitor with
neither a session nor pending messages. Private: everything else, and what
is private is never shared whatever the cookies. docs/caching.md says the same
to an operator.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import Client
from django.urls import reverse

from apps.core.cache import FRESH_COOKIE
from apps.registries.models import Registry
from apps.reservations import services as reservations
from tests.caching.helpers import public_url

SHARED = "public, max-age=0, s-maxage=1, stale-if-error=86400"
VARY = {"Accept-Encoding", "Accept-Language", "Cookie"}
MARKETING = ["/", "/pricing/", "/faq/"]
TEMPLATE = Path(settings.BASE_DIR) / "deploy" / "nginx.conf.template"


def _vary(response) -> set[str]:
    return {part.strip() for part in response["Vary"].split(",")}


def _private(response) -> bool:
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    return (
        "private" in directives
        and "public" not in directives
        and not any(d.startswith("s-maxage") for d in directives)
    )


def _with_message(client: Client, path: str) -> Client:
    storage = CookieStorage(client.get(path).wsgi_request)
    storage.add(constants.SUCCESS, "“Teapot” is reserved for you — thank you!")
    client.cookies[CookieStorage.cookie_name] = storage._encode(storage._queued_messages)
    return client


# Shared ------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["registry", *MARKETING])
def test_a_visitor_without_a_session_gets_a_page_any_cache_may_share(registry, items, path):
    url = public_url(registry) if path == "registry" else path

    response = Client().get(url)

    assert response.status_code == 200
    assert response["Cache-Control"] == SHARED
    assert _vary(response) == VARY
    assert re.fullmatch(r'"[0-9a-f]+"', response["ETag"])  # strong: the same bytes for everyone
    assert not response.cookies  # nothing of their own: no session, no CSRF cookie
    assert "csrfmiddlewaretoken" not in response.content.decode()


@pytest.mark.parametrize("cookie", ["csrftoken", settings.LANGUAGE_COOKIE_NAME])
def test_cookies_that_are_not_a_session_still_get_the_shared_page(registry, items, cookie):
    guest = Client()
    guest.cookies[cookie] = "fr" if cookie == settings.LANGUAGE_COOKIE_NAME else "x" * 32

    response = guest.get(public_url(registry))

    assert response["Cache-Control"] == SHARED


def test_the_staleness_bound_is_a_setting(registry, items, settings):
    settings.WHISPER_SHARED_CACHE_SECONDS = 10

    response = Client().get(public_url(registry))

    assert response["Cache-Control"] == (
        "public, max-age=0, s-maxage=5, stale-while-revalidate=4, stale-if-error=86400"
    )


@pytest.mark.parametrize("path", ["registry", *MARKETING])
def test_the_strong_etag_round_trip_is_a_304_with_the_same_headers(registry, items, path):
    url = public_url(registry) if path == "registry" else path
    first = Client().get(url)

    for tag in (first["ETag"], "W/" + first["ETag"]):  # a cache may send the weak form back
        again = Client().get(url, headers={"If-None-Match": tag})
        assert again.status_code == 304
        assert again.content == b""
        assert again["ETag"] == first["ETag"]
        assert again["Cache-Control"] == SHARED
        assert _vary(again) == VARY


def test_gzip_and_plain_are_two_representations_with_two_tags(registry, items):
    url = public_url(registry)
    plain = Client().get(url)
    zipped = Client().get(url, headers={"Accept-Encoding": "gzip"})

    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == plain.content
    assert zipped["ETag"] != plain["ETag"]
    assert zipped["ETag"].startswith('"') and plain["ETag"].startswith('"')

    # Each tag validates its own representation only.
    def status(tag: str, **headers) -> int:
        return Client().get(url, headers={"If-None-Match": tag, **headers}).status_code

    assert status(zipped["ETag"], **{"Accept-Encoding": "gzip"}) == 304
    assert status(zipped["ETag"]) == 200
    assert status(plain["ETag"], **{"Accept-Encoding": "gzip"}) == 200


def test_a_change_changes_the_shared_tag(registry, items):
    url = public_url(registry)
    first = Client().get(url)

    reservations.reserve(items[0].pk, 1, "Pat", "pat@example.com")
    again = Client().get(url, headers={"If-None-Match": first["ETag"]})

    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
    assert again["Cache-Control"] == SHARED


# Private -----------------------------------------------------------------------
@pytest.mark.parametrize("path", ["registry", *MARKETING])
def test_the_couple_and_other_logged_in_people_get_their_own_page(
    owner_client, other_client, registry, items, path
):
    url = public_url(registry) if path == "registry" else path
    for client in (owner_client, other_client):
        response = client.get(url)
        assert response.status_code == 200
        assert _private(response), response["Cache-Control"]
        assert "Cookie" in _vary(response)
        assert not response.get("ETag", "").startswith('"')  # weak where there is one: tokens differ


@pytest.mark.parametrize("path", ["registry", *MARKETING])
def test_a_visitor_with_a_pending_message_gets_a_private_page_with_it(registry, items, path):
    url = public_url(registry) if path == "registry" else path
    visitor = _with_message(Client(), url)

    response = visitor.get(url)

    assert "is reserved for you" in response.content.decode()
    assert _private(response)


def test_a_protected_registry_is_never_shared(registry, items):
    registry.privacy = Registry.Privacy.PROTECTED
    registry.set_passphrase("open sesame")
    registry.save()
    url = public_url(registry)
    passphrase = reverse("registries:passphrase", args=[registry.slug])

    locked = Client().get(url)
    assert locked.status_code == 302
    assert _private(locked)

    ask = Client().get(passphrase)
    assert ask.status_code == 200
    assert "no-store" in ask["Cache-Control"] and "private" in ask["Cache-Control"]

    guest = Client()
    answer = guest.post(passphrase, {"passphrase": "open sesame"})
    assert answer.status_code == 302 and "no-store" in answer["Cache-Control"]
    unlocked = guest.get(url)
    assert unlocked.status_code == 200
    assert "Teapot" in unlocked.content.decode()
    assert _private(unlocked)
    assert guest.get(url, headers={"If-None-Match": unlocked["ETag"]}).status_code == 304


def test_search_results_and_the_guests_forms_are_private(registry, items):
    search = Client().get(reverse("registries:search"), {"q": "alex"})
    assert _private(search)
    form = Client().get(reverse("reservations:reserve", args=[registry.slug, items[0].pk]))
    assert "csrfmiddlewaretoken" in form.content.decode()
    assert "no-store" in form["Cache-Control"] and "private" in form["Cache-Control"]
    elsewhere = Client().get(reverse("reservations:off_registry", args=[registry.slug]))
    assert "csrfmiddlewaretoken" in elsewhere.content.decode()
    assert "public" not in elsewhere.get("Cache-Control", "")
    assert "s-maxage" not in elsewhere.get("Cache-Control", "")


def test_a_reservation_post_is_never_shared_and_the_guest_then_sees_it_privately(registry, items):
    guest = Client()
    url = reverse("reservations:reserve", args=[registry.slug, items[0].pk])
    guest.get(url)
    data = {"quantity": 1, "guest_name": "Pat", "guest_email": "pat@example.com", "message": ""}

    response = guest.post(url, data)

    assert response.status_code == 302
    assert "public" not in response.get("Cache-Control", "")
    assert "s-maxage" not in response.get("Cache-Control", "")
    # Their next page carries the message cookie: Django's own answer, not the shared one.
    assert CookieStorage.cookie_name in guest.cookies
    page = guest.get(public_url(registry))
    assert _private(page)


def test_after_a_write_the_writer_skips_shared_caches_for_the_bound_even_without_a_message(
    registry, items, settings
):
    """A guest who read their message on the manage page still gets Django's own registry page."""
    settings.WHISPER_SHARED_CACHE_SECONDS = 2
    settings.WHISPER_REGISTRY_ROW_SECONDS = 1
    guest = Client()
    url = reverse("reservations:reserve", args=[registry.slug, items[0].pk])
    guest.get(url)
    data = {"quantity": 1, "guest_name": "Pat", "guest_email": "pat@example.com", "message": ""}
    posted = guest.post(url, data)
    assert posted.cookies[FRESH_COOKIE]["max-age"] == 4  # the bound (2 + 1), and a second's margin
    assert posted.cookies[FRESH_COOKIE]["httponly"]
    manage = guest.get(posted["Location"])  # the manage page shows the message and clears it
    assert manage.cookies[CookieStorage.cookie_name].value == ""
    del guest.cookies[CookieStorage.cookie_name]  # as a browser drops an expired cookie

    page = guest.get(public_url(registry))

    assert _private(page)
    # A stranger's first look at the same page is the shared one.
    assert not _private(Client().get(public_url(registry)))


def test_a_read_never_sets_the_fresh_cookie(registry):
    response = Client().get(public_url(registry))
    assert FRESH_COOKIE not in response.cookies


# The bypass --------------------------------------------------------------------
def test_nginx_bypasses_its_cache_on_the_cookies_django_calls_a_visitors_state():
    """The cookie names in nginx's map and key are Django's: a renamed cookie would leak pages."""
    site = TEMPLATE.read_text()
    bypass = re.search(r'map "([^"]+)" \$whisper_visitor_state', site).group(1)
    names = set(re.findall(r"\$cookie_(\w+)", bypass))
    assert names == {settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name, FRESH_COOKIE}
    key = re.search(r'proxy_cache_key "([^"]+)";', site).group(1)
    assert f"$cookie_{settings.LANGUAGE_COOKIE_NAME}" in key
    assert "$http_accept_language" in key and "$whisper_gzip" in key and "$request_uri" in key
    assert re.search(r"proxy_cache_bypass .*\$whisper_visitor_state", site)
    assert re.search(r"proxy_no_cache .*\$whisper_visitor_state", site)
