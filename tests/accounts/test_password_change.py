"""Changing the password while logged in."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

URL = reverse("accounts:password_change")
NEW = "paper-lantern-river-9"


@pytest.mark.django_db
def test_anonymous_visitors_are_asked_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_page_asks_for_current_and_new_password(owner_client):
    response = owner_client.get(URL)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Current password" in content
    assert "New password again" in content


def test_changes_the_password_and_keeps_the_couple_logged_in(owner_client, couple, password):
    response = owner_client.post(URL, {"old_password": password, "new_password1": NEW, "new_password2": NEW})

    assert response.status_code == 302
    assert response.url == reverse("accounts:settings")
    assert "Your password is changed." in [str(m) for m in get_messages(response.wsgi_request)]
    couple.refresh_from_db()
    assert couple.check_password(NEW)
    assert owner_client.get(reverse("accounts:settings")).status_code == 200


def test_wrong_current_password_is_refused(owner_client, couple, password):
    response = owner_client.post(URL, {"old_password": "guess", "new_password1": NEW, "new_password2": NEW})

    assert response.status_code == 200
    assert "That is not your current password." in response.content.decode()
    couple.refresh_from_db()
    assert couple.check_password(password)


def test_mismatched_new_passwords_are_refused(owner_client, couple, password):
    response = owner_client.post(
        URL, {"old_password": password, "new_password1": NEW, "new_password2": NEW + "!"}
    )

    assert response.status_code == 200
    assert "The two password fields didn’t match." in response.content.decode()
    couple.refresh_from_db()
    assert couple.check_password(password)
