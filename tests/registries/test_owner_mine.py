"""registries:mine — the couple's list of registries."""

from __future__ import annotations

import pytest
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
