"""The "check your inbox" page shown after signup."""

from __future__ import annotations

import pytest
from django.urls import reverse

URL = reverse("accounts:verify_sent")


@pytest.mark.django_db
def test_anonymous_visitors_are_asked_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_explains_and_offers_to_resend(unverified_client):
    response = unverified_client.get(URL)

    assert response.status_code == 200
    content = response.content.decode()
    assert "Check your inbox" in content
    assert "robin@example.com" in content
    assert f'action="{reverse("accounts:verify_resend")}"' in content
    assert 'method="post"' in content


def test_a_verified_couple_is_pointed_to_registry_creation(owner_client):
    response = owner_client.get(URL)

    assert response.status_code == 200
    content = response.content.decode()
    assert "You’re all set" in content
    assert reverse("registries:create") in content
    assert reverse("accounts:verify_resend") not in content
