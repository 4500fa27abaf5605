"""The site-wide cache on the marketing pages (home, pricing, FAQ): for anonymous visitors only."""

from __future__ import annotations

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse

from apps.core.cache import AnonymousFetchFromCacheMiddleware, AnonymousUpdateCacheMiddleware
from tests.caching.helpers import get_counted

PAGES = ["/", "/pricing/", "/faq/"]


@pytest.fixture
def page_cache(settings, locmem):
    """The site-wide cache on, as in production (tests run with it off)."""
    settings.CACHE_MIDDLEWARE_SECONDS = 300


@pytest.mark.usefixtures("page_cache")
@pytest.mark.parametrize("path", PAGES)
def test_an_anonymous_visitor_gets_the_cached_page(db, path):
    first = Client().get(path)
    assert first.templates  # rendered once

    again, queries = get_counted(Client(), path)

    assert again.status_code == 200
    assert again.templates == []  # straight from the cache: no view, no template
    assert queries == 0
    assert again.content == first.content
    assert "max-age=300" in again["Cache-Control"]


@pytest.mark.usefixtures("page_cache")
@pytest.mark.parametrize("path", PAGES)
def test_a_logged_in_visitor_never_gets_or_makes_a_cached_page(owner_client, path):
    Client().get(path)  # an anonymous visitor fills the cache

    mine = owner_client.get(path)

    assert mine.templates  # rendered for them
    content = mine.content.decode()
    assert reverse("registries:mine") in content
    assert "Log out" in content
    assert "Log in" not in content
    anonymous = Client().get(path).content.decode()
    assert "Log in" in anonymous
    assert "Log out" not in anonymous
    assert owner_client.get(path).templates  # their own page is never stored either


@pytest.mark.usefixtures("page_cache")
def test_a_visitor_with_a_message_gets_it(db):
    Client().get("/")
    visitor = Client()
    storage = CookieStorage(visitor.get("/").wsgi_request)
    storage.add(constants.SUCCESS, "You are logged out. See you soon!")
    visitor.cookies[CookieStorage.cookie_name] = storage._encode(storage._queued_messages)

    response = visitor.get("/")

    assert response.templates
    assert "You are logged out. See you soon!" in response.content.decode()


@pytest.mark.usefixtures("page_cache")
def test_other_pages_are_not_cached_by_it(db):
    Client().get(reverse("registries:search"))
    assert Client().get(reverse("registries:search")).templates


@pytest.mark.usefixtures("locmem")
def test_off_when_the_timeout_is_zero(db, settings):
    settings.CACHE_MIDDLEWARE_SECONDS = 0
    Client().get("/")
    assert Client().get("/").templates


@pytest.mark.usefixtures("page_cache")
@pytest.mark.parametrize(
    ("cookie", "renders"),
    [("", 1), ("sessionid=abc", 2), ("messages=abc", 2), ("csrftoken=abc", 1)],
    ids=["no cookie", "session", "messages", "other cookies"],
)
def test_only_visitors_without_a_session_or_messages_share_the_cache(db, cookie, renders):
    """The two middleware around a page that varies on nothing: only the cookies decide."""
    calls = []

    def view(request):
        calls.append(request)
        return HttpResponse(b"the same for everyone")

    stack = AnonymousUpdateCacheMiddleware(AnonymousFetchFromCacheMiddleware(view))
    for _ in range(2):
        assert stack(RequestFactory().get("/pricing/", HTTP_COOKIE=cookie)).status_code == 200

    assert len(calls) == renders
