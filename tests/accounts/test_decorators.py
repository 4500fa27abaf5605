"""verified_required: logged in, with a verified address."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

pytestmark = pytest.mark.urls("tests.accounts.urls")

URL = "/test-only/protected/"


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next={URL}"


def test_an_unverified_couple_is_told_to_verify_first(unverified_client):
    response = unverified_client.get(URL)

    assert response.status_code == 302
    assert response.url == reverse("accounts:verify_sent")
    assert "Please verify your email address first — we sent you a link." in [
        str(m) for m in get_messages(response.wsgi_request)
    ]


def test_a_verified_couple_gets_in(owner_client):
    response = owner_client.get(URL)
    assert response.status_code == 200
    assert response.content == b"the couple's page"
