"""registries:mine — the couple's list of registries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ItemFactory, RegistryFactory

pytestmark = pytest.mark.django_db

URL = reverse("registries:mine")


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={URL}"


def test_a_couple_without_registries_is_invited_to_create_one(owner_client):
    response = owner_client.get(URL)

    assert response.status_code == 200
    assert "No registry yet" in response.content.decode()
    assert reverse("registries:create") in response.content.decode()


def test_lists_the_couples_registries_with_their_links(owner_client, registry, other_couple):
    ItemFactory.create_batch(2, registry=registry)
    RegistryFactory(slug="someone-else", partner_one="Jo", partner_two="Kim", owners=[other_couple])

    response = owner_client.get(URL)
    html = response.content.decode()

    assert "Alex &amp; Sam" in html
    assert "2 gifts" in html
    assert reverse("registries:dashboard", args=["alex-and-sam"]) in html
    assert reverse("registries:edit", args=["alex-and-sam"]) in html
    assert reverse("registries:public", args=["alex-and-sam"]) in html
    assert "someone-else" not in html
    assert "Jo &amp; Kim" not in html
    assert "No registry yet" not in html


def test_a_registry_shared_by_two_partners_shows_for_both(client, registry, other_couple):
    registry.owners.add(other_couple)
    client.force_login(other_couple)

    response = client.get(URL)

    assert reverse("registries:dashboard", args=["alex-and-sam"]) in response.content.decode()


def test_each_registry_shows_its_plan(owner_client, premium_registry, couple):
    RegistryFactory(slug="second-try", partner_one="Alex", partner_two="Kim", owners=[couple])

    html = owner_client.get(URL).content.decode()

    premium_card = html[
        html.index("Alex &amp; Sam") : html.index(reverse("registries:edit", args=["alex-and-sam"]))
    ]
    free_card = html[
        html.index("Alex &amp; Kim") : html.index(reverse("registries:edit", args=["second-try"]))
    ]
    assert '<span class="badge" title="Plan">Premium</span>' in premium_card
    assert '<span class="badge badge--muted" title="Plan">Free</span>' in free_card


def test_the_number_of_queries_does_not_grow_with_the_registries(
    owner_client, premium_registry, couple, settings
):
    # A cache of this test's own, so a session read never falls through to the database.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "mine-queries"}
    }
    RegistryFactory(owners=[couple])
    owner_client.get(URL)  # warm the session cache like any later request
    with CaptureQueriesContext(connection) as two:
        owner_client.get(URL)

    RegistryFactory.create_batch(5, owners=[couple])
    with CaptureQueriesContext(connection) as seven:
        response = owner_client.get(URL)

    assert response.content.decode().count('title="Plan">Free</span>') == 6
    assert len(seven) == len(two)
