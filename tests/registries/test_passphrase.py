"""registries:passphrase — the gate in front of a protected registry."""

from __future__ import annotations

import django_ratelimit.core
import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from apps.registries.models import Registry
from tests.factories import RegistryFactory

PASSPHRASE = "sunset in lisbon"


@pytest.fixture
def protected(registry, items):
    registry.privacy = Registry.Privacy.PROTECTED
    registry.set_passphrase(PASSPHRASE)
    registry.save()
    return registry


def _public(registry) -> str:
    return reverse("registries:public", args=[registry.slug])


def _gate(registry) -> str:
    return reverse("registries:passphrase", args=[registry.slug])


def test_guests_are_sent_to_the_passphrase_page(client, protected):
    response = client.get(_public(protected), {"sort": "price"})
    assert response.status_code == 302
    assert response["Location"] == f"{_gate(protected)}?next=%2Fr%2Falex-and-sam%2F%3Fsort%3Dprice"

    page = client.get(response["Location"])
    assert page.status_code == 200
    content = page.content.decode()
    assert "This registry is private" in content
    assert "Teapot" not in content
    assert page["X-Robots-Tag"] == "noindex"


def test_a_wrong_passphrase_stays_locked(client, protected):
    response = client.post(_gate(protected), {"passphrase": "sunrise in porto"})
    assert response.status_code == 200
    assert escape("That passphrase doesn't match") in response.content.decode()
    assert client.get(_public(protected)).status_code == 302


def test_the_right_passphrase_opens_it_for_the_browser_session(client, protected):
    url = f"{_gate(protected)}?next=%2Fr%2Falex-and-sam%2F%3Fsort%3Dprice"
    response = client.post(url, {"passphrase": PASSPHRASE})
    assert response.status_code == 302
    assert response["Location"] == "/r/alex-and-sam/?sort=price"

    page = client.get(_public(protected))
    assert page.status_code == 200
    assert "Teapot" in page.content.decode()
    assert page["X-Robots-Tag"] == "noindex"
    assert client.session.get_expire_at_browser_close()
    # Asking again for the passphrase page just goes on to the registry.
    assert client.get(_gate(protected))["Location"] == _public(protected)

    # Another browser still has to ask.
    assert Client().get(_public(protected)).status_code == 302


@pytest.mark.parametrize("typed", ["Sunset in Lisbon", "sunset in lisbon ", "  SUNSET IN LISBON"])
def test_case_and_surrounding_spaces_do_not_matter(client, protected, typed):
    response = client.post(_gate(protected), {"passphrase": typed})

    assert response.status_code == 302
    assert client.get(_public(protected)).status_code == 200


def test_a_passphrase_set_with_capitals_opens_for_any_case(client, protected):
    protected.set_passphrase(" Lisbon")
    protected.save()

    assert client.post(_gate(protected), {"passphrase": "LISBON"}).status_code == 302
    assert client.get(_public(protected)).status_code == 200


def test_a_passphrase_stored_before_normalizing_still_opens_with_its_exact_text(client, protected):
    Registry.objects.filter(pk=protected.pk).update(passphrase_hash=make_password("Sunset in Lisbon"))

    assert client.post(_gate(protected), {"passphrase": "Sunset in Lisbon"}).status_code == 302
    assert client.get(_public(protected)).status_code == 200


def test_it_is_remembered_per_registry(client, protected):
    second = RegistryFactory(slug="jo-and-kim", privacy=Registry.Privacy.PROTECTED)
    second.set_passphrase("another one")
    second.save()
    client.post(_gate(protected), {"passphrase": PASSPHRASE})
    assert client.get(_public(protected)).status_code == 200
    assert client.get(_public(second)).status_code == 302


def test_a_new_passphrase_locks_everybody_out_again(client, protected):
    client.post(_gate(protected), {"passphrase": PASSPHRASE})
    assert client.get(_public(protected)).status_code == 200
    protected.set_passphrase("a brand new one")
    protected.save()
    assert client.get(_public(protected)).status_code == 302


def test_owners_need_no_passphrase(owner_client, protected):
    response = owner_client.get(_public(protected))
    assert response.status_code == 200
    assert "Teapot" in response.content.decode()
    assert owner_client.get(_gate(protected))["Location"] == _public(protected)


def test_other_couples_need_it(other_client, protected):
    assert other_client.get(_public(protected)).status_code == 302


def test_next_may_not_leave_the_site(client, protected):
    url = f"{_gate(protected)}?next=https://evil.example/phish"
    response = client.post(url, {"passphrase": PASSPHRASE})
    assert response["Location"] == _public(protected)


def test_an_empty_passphrase_is_refused(client, protected):
    response = client.post(_gate(protected), {"passphrase": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert client.get(_public(protected)).status_code == 302


def test_too_many_wrong_tries_are_refused_for_a_while(client, protected, monkeypatch, settings):
    # One fixed rate-limit window, so that the test never straddles two; and a
    # private cache for the counts (other test runs flush the shared memcached).
    monkeypatch.setattr(django_ratelimit.core, "_get_window", lambda value, period: 1_800_000_000)
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "rl"}
    }
    settings.WHISPER_RATE_WRONG_PASSPHRASE = "10/m"
    for _ in range(10):
        assert client.post(_gate(protected), {"passphrase": "guess"}).status_code == 200
    response = client.post(_gate(protected), {"passphrase": PASSPHRASE})
    assert response.status_code == 429
    assert "Too many tries" in response.content.decode()
    assert client.get(_public(protected)).status_code == 302


def test_registries_that_are_not_protected_skip_the_gate(client, registry):
    response = client.get(_gate(registry))
    assert response.status_code == 302
    assert response["Location"] == _public(registry)


def test_unknown_registry_is_not_found(client, db):
    assert client.get(reverse("registries:passphrase", args=["nobody"])).status_code == 404
