"""registries:public — conditional GETs: an ETag from the registry's version, 304 without rendering,
and a page shared between guests that holds nothing of any of them."""

from __future__ import annotations

import copy
import gzip
import re

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from apps.items import services as item_services
from apps.registries.models import Registry
from apps.registries.views.public import _Page
from apps.reservations import services as reservations
from tests.caching.helpers import get_counted, public_url

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _revalidate(client, url, response):
    return get_counted(client, url, if_none_match=response["ETag"])


def test_a_guest_revalidates_with_a_304_from_one_query(client, registry, items):
    url = public_url(registry)
    first = client.get(url)
    assert first["ETag"].startswith('"')  # strong: the shared page, the same bytes for every guest

    again, queries = _revalidate(client, url, first)

    assert again.status_code == 304
    assert again.content == b""
    assert again.templates == []  # nothing rendered
    assert queries == 1  # the registry row
    assert again["ETag"] == first["ETag"]


def test_the_couples_answer_is_private_revalidated_and_varies_on_cookies(owner_client, registry, items):
    response = owner_client.get(public_url(registry))
    assert set(response["Cache-Control"].split(", ")) == {"private", "no-cache"}
    assert "Cookie" in response["Vary"]
    assert response["ETag"].startswith('W/"')  # weak: its CSRF token is masked anew each time


@pytest.mark.parametrize(
    "change",
    [
        lambda items: reservations.reserve(items[0].pk, 1, "Pat", "pat@example.com"),
        lambda items: item_services.set_hidden(items[1], True),
        lambda items: Registry.objects.get(pk=items[0].registry_id).bump_version(),
    ],
    ids=["reservation", "hidden", "registry edit"],
)
def test_a_change_changes_the_etag(client, registry, items, change):
    url = public_url(registry)
    first = client.get(url)

    change(items)
    again, _ = _revalidate(client, url, first)

    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
    assert _revalidate(client, url, again)[0].status_code == 304


def test_the_etag_differs_by_filter_and_by_visitor(owner_client, registry, items):
    guest = Client()
    tags = {
        guest.get(public_url(registry))["ETag"],
        guest.get(public_url(registry, sort="price"))["ETag"],
        owner_client.get(public_url(registry))["ETag"],
    }
    assert len(tags) == 3
    # Parameters the page does not read change nothing.
    assert guest.get(public_url(registry, utm_source="mail"))["ETag"] in tags


def test_an_unlocked_guest_gets_304_and_a_locked_one_the_passphrase_page(registry, items):
    registry.privacy = Registry.Privacy.PROTECTED
    registry.set_passphrase("open sesame")
    registry.save()
    guest = Client()
    guest.post(reverse("registries:passphrase", args=[registry.slug]), {"passphrase": "open sesame"})
    url = public_url(registry)
    first = guest.get(url)
    assert first.status_code == 200
    assert _revalidate(guest, url, first)[0].status_code == 304

    stranger = Client()
    locked, _ = _revalidate(stranger, url, first)
    assert locked.status_code == 302
    assert locked["Location"].startswith(reverse("registries:passphrase", args=[registry.slug]))


def test_a_page_with_a_message_is_rendered_and_never_revalidated(client, registry, items):
    url = public_url(registry)
    first = client.get(url)
    storage = CookieStorage(client.get(url).wsgi_request)
    storage.add(constants.INFO, "“Teapot” has already been reserved — thank you!")
    message = storage._encode(storage._loaded_messages + storage._queued_messages)
    client.cookies[CookieStorage.cookie_name] = message

    again, _ = _revalidate(client, url, first)

    assert again.status_code == 200
    assert "has already been reserved" in again.content.decode()
    assert "ETag" not in again


def test_guests_without_a_session_share_one_page_with_nothing_of_their_own(registry, items):
    url = public_url(registry)
    first, second = Client().get(url), Client().get(url)

    assert second.templates == []  # the second guest got the page the first one made
    assert first.content == second.content
    html = first.content.decode()
    assert "csrfmiddlewaretoken" not in html
    assert not first.cookies and not second.cookies  # no CSRF cookie, no session
    # "Bought something not on the list?" is a page of its own, with its own form.
    off_registry = reverse("reservations:off_registry", args=[registry.slug])
    assert f'href="{off_registry}"' in html
    form_page = Client().get(off_registry)
    assert TOKEN.search(form_page.content.decode())


def test_browsers_get_the_shared_page_gzipped_when_it_is_stored(owner_client, registry, items):
    url = public_url(registry)
    plain = Client().get(url)

    zipped = Client().get(url, headers={"Accept-Encoding": "gzip, deflate, br"})

    assert zipped.templates == []  # the stored page: compressed once, with it
    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == plain.content
    assert len(zipped.content) < len(plain.content) / 2
    assert zipped["ETag"] != plain["ETag"]  # strong: two representations, two tags
    assert "Content-Encoding" not in plain
    assert "Accept-Encoding" in plain["Vary"] and "Accept-Encoding" in zipped["Vary"]
    # The couple's own page is not shared: it goes out as rendered (nginx compresses it).
    assert "Content-Encoding" not in owner_client.get(url, headers={"Accept-Encoding": "gzip"})


def test_the_etag_follows_the_csrf_cookie_of_a_page_with_a_token(owner_client, registry, items):
    url = public_url(registry)
    first = owner_client.get(url)  # the couple's page holds their logout form and its token
    assert TOKEN.search(first.content.decode())
    assert _revalidate(owner_client, url, first)[0].status_code == 304

    owner_client.cookies.pop("csrftoken")  # cleared: the page's token no longer matches anything
    again, _ = _revalidate(owner_client, url, first)

    assert again.status_code == 200
    assert TOKEN.search(again.content.decode())


def test_a_page_that_asks_for_the_visitors_own_token_is_not_shared(registry, items, settings):
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["OPTIONS"]["context_processors"].append("tests.caching.helpers.eager_token")
    settings.TEMPLATES = templates
    url = public_url(registry)
    Client().get(url)

    assert Client().get(url).templates  # rendered again: nothing was stored


def test_a_page_stored_in_an_older_shape_is_a_miss_not_an_error(rf, registry, items):
    url = public_url(registry)
    fresh = Client().get(url)
    request = rf.get(url)
    key = _Page(request, registry, owner=False, show_state=True, anonymous=True)._page_key()
    caches["default"].set(key, b"<p>html alone, as older code stored it</p>")  # a deploy's old nodes
    caches["process"].clear()

    again = Client().get(url)

    assert again.status_code == 200
    assert again.content == fresh.content
    assert isinstance(caches["default"].get(key), tuple)  # stored again, in today's shape
