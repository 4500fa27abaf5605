"""registries:search — guests find a public registry by the couple's names."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.registries.models import Registry
from tests.factories import RegistryFactory


@pytest.fixture
def registries(db):
    return {
        "public": RegistryFactory(slug="alex-and-sam", partner_one="Alex", partner_two="Sam Rivera"),
        "other": RegistryFactory(slug="jo-and-kim", partner_one="Jo", partner_two="Kim"),
        "unlisted": RegistryFactory(
            slug="alex-and-max", partner_one="Alex", partner_two="Max", privacy=Registry.Privacy.UNLISTED
        ),
        "protected": RegistryFactory(
            slug="alex-and-lou", partner_one="Alex", partner_two="Lou", privacy=Registry.Privacy.PROTECTED
        ),
    }


@pytest.fixture
def private_cache(settings):
    """A cache of this test's own for query counts: other test runs flush the shared memcached."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "q"}
    }


def _search(client, q: str | None):
    return client.get(reverse("registries:search"), {} if q is None else {"q": q})


def test_finds_public_registries_by_either_name(client, registries):
    for q in ("alex", "RIVERA", "Sam Alex", "  sam   rivera "):
        response = _search(client, q)
        assert response.status_code == 200
        assert [r.slug for r in response.context["results"]] == ["alex-and-sam"], q
        assert 'href="/r/alex-and-sam/"' in response.content.decode()


def test_unlisted_and_protected_never_appear(client, registries):
    for q in ("Alex", "Max", "Lou", "alex-and"):
        response = _search(client, q)
        assert {r.slug for r in response.context["results"]} <= {"alex-and-sam"}
        content = response.content.decode()
        assert "/r/alex-and-max/" not in content
        assert "/r/alex-and-lou/" not in content


@pytest.mark.parametrize("q", [None, "", "   ", "a"])
def test_empty_or_too_short_shows_the_form_only(
    client, registries, q, django_assert_num_queries, private_cache
):
    _search(client, None)  # warms what every page reads (site switches), to count only the search
    with django_assert_num_queries(0):
        response = _search(client, q)
    assert response.status_code == 200
    assert response.context["results"] is None
    content = response.content.decode()
    assert 'name="q"' in content
    assert "/r/alex-and-sam/" not in content


def test_no_match_says_so(client, registries):
    content = _search(client, "Zebedee").content.decode()
    assert "No registry matches “Zebedee”" in content


def test_search_is_one_query_and_capped(client, db, django_assert_num_queries, private_cache):
    for n in range(55):
        RegistryFactory(partner_one=f"Robin {n}", partner_two="Ash", owners=[])
    _search(client, None)  # warms what every page reads (site switches), to count only the search
    with django_assert_num_queries(1):
        response = _search(client, "robin")
    assert len(response.context["results"]) == 50
    assert "Showing the first 50." in response.content.decode()


def test_names_are_escaped(client, db):
    RegistryFactory(partner_one="<script>x</script>", partner_two="Ash")
    content = _search(client, "Ash").content.decode()
    assert "<script>x</script>" not in content
    assert "&lt;script&gt;x&lt;/script&gt;" in content


def test_too_long_a_query_is_not_a_500(client, registries):
    response = _search(client, "x" * 5000)
    assert response.status_code == 200
    assert response.context["results"] is None
