"""Logging in with an email address and a password."""

from __future__ import annotations

import pytest
from django.urls import reverse

URL = reverse("accounts:login")


@pytest.mark.django_db
def test_page_asks_for_email_and_password(client):
    response = client.get(URL)

    assert response.status_code == 200
    content = response.content.decode()
    assert '<label for="id_username">Email</label>' in content
    assert 'type="email"' in content
    assert reverse("accounts:password_reset") in content
    assert reverse("accounts:signup") in content


@pytest.mark.parametrize("email", ["alex@example.com", "Alex@EXAMPLE.com"])
def test_right_password_logs_in_whatever_the_case_of_the_email(client, couple, password, email):
    response = client.post(URL, {"username": email, "password": password})

    assert response.status_code == 302
    assert response.url == reverse("registries:mine")
    assert int(client.session["_auth_user_id"]) == couple.pk


def test_wrong_password_says_so_and_does_not_log_in(client, couple):
    response = client.post(URL, {"username": "alex@example.com", "password": "not-the-password"})

    assert response.status_code == 200
    assert "That email and password don’t match an account." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_next_is_followed(client, couple, password):
    target = reverse("accounts:settings")
    response = client.post(f"{URL}?next={target}", {"username": couple.email, "password": password})
    assert response.url == target


def test_next_to_another_site_is_ignored(client, couple, password):
    response = client.post(
        f"{URL}?next=https://evil.example/", {"username": couple.email, "password": password}
    )
    assert response.url == reverse("registries:mine")


def test_a_logged_in_couple_is_sent_on(owner_client):
    response = owner_client.get(URL)
    assert response.status_code == 302
    assert response.url == reverse("registries:mine")
