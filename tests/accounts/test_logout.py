"""Logging out: POST only, so a link or an image cannot log anyone out."""

from __future__ import annotations

from django.contrib.messages import get_messages
from django.urls import reverse

URL = reverse("accounts:logout")


def test_get_is_refused_and_keeps_the_session(owner_client, couple):
    response = owner_client.get(URL)

    assert response.status_code == 405
    assert int(owner_client.session["_auth_user_id"]) == couple.pk


def test_post_logs_out_and_goes_home(owner_client):
    response = owner_client.post(URL)

    assert response.status_code == 302
    assert response.url == reverse("pages:home")
    assert "_auth_user_id" not in owner_client.session
    assert "You are logged out. See you soon!" in [str(m) for m in get_messages(response.wsgi_request)]
    assert owner_client.get(reverse("accounts:settings")).status_code == 302
