"""Asking to change the address: confirmed from the new address before anything changes."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from tests.accounts.conftest import link_path

URL = reverse("accounts:email_change")


@pytest.mark.django_db
def test_anonymous_visitors_are_asked_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_page_asks_for_the_new_address_and_the_password(owner_client):
    content = owner_client.get(URL).content.decode()
    assert 'name="email"' in content
    assert 'name="password"' in content
    assert "alex@example.com" in content


def test_mails_a_link_to_the_new_address_and_keeps_the_old_one(owner_client, couple, password):
    response = owner_client.post(URL, {"email": "Alex.New@Example.com", "password": password})

    assert response.status_code == 302
    assert response.url == reverse("accounts:settings")
    notes = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("alex.new@example.com" in note and "alex@example.com" in note for note in notes)
    couple.refresh_from_db()
    assert couple.email == "alex@example.com"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alex.new@example.com"]
    assert message.subject == "Confirm your new email address for Whisper"
    assert "alex@example.com" in message.body
    assert link_path(message).startswith("/accounts/settings/email/")
    html, _ = message.alternatives[0]
    assert link_path(message) in html


def test_wrong_password_is_refused(owner_client, couple):
    response = owner_client.post(URL, {"email": "new@example.com", "password": "guess"})

    assert response.status_code == 200
    assert "That is not your current password." in response.content.decode()
    assert mail.outbox == []


@pytest.mark.parametrize("taken", ["jo@example.com", "JO@Example.com"])
def test_an_address_in_use_is_refused(owner_client, couple, other_couple, password, taken):
    response = owner_client.post(URL, {"email": taken, "password": password})

    assert response.status_code == 200
    assert "An account with this email address already exists" in response.content.decode()
    assert mail.outbox == []
    couple.refresh_from_db()
    assert couple.email == "alex@example.com"


def test_the_current_address_is_refused(owner_client, password):
    response = owner_client.post(URL, {"email": "ALEX@example.com", "password": password})

    assert response.status_code == 200
    assert "That is already your email address." in response.content.decode()
    assert mail.outbox == []


def test_stops_after_a_few_attempts_without_checking_the_password(owner_client, password, settings):
    settings.WHISPER_RATE_MAIL = "5/h"
    for n in range(5):
        owner_client.post(URL, {"email": f"new{n}@example.com", "password": password})
    response = owner_client.post(URL, {"email": "new9@example.com", "password": password})

    assert response.status_code == 302
    assert response.url == URL
    assert any("several emails" in str(m) for m in get_messages(response.wsgi_request))
    assert [m.to for m in mail.outbox] == [[f"new{n}@example.com"] for n in range(5)]
