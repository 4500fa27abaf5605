"""Opening the verification link from the signup mail."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from apps.accounts import services
from tests.accounts.conftest import link_path


@pytest.fixture
def link(unverified) -> str:
    services.send_verification(unverified)
    path = link_path(mail.outbox[-1])
    mail.outbox.clear()
    return path


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_valid_link_verifies_welcomes_and_leads_to_registry_creation(client, unverified, link):
    response = client.get(link)

    assert response.status_code == 302
    assert response.url == reverse("registries:create")
    assert any("verified" in m for m in _messages(response))
    unverified.refresh_from_db()
    assert unverified.email_verified
    assert len(mail.outbox) == 1
    welcome = mail.outbox[0]
    assert welcome.to == ["robin@example.com"]
    assert "Welcome to Whisper" in welcome.subject
    assert reverse("registries:create") in welcome.body


def test_opening_it_again_is_fine_and_welcomes_only_once(unverified_client, unverified, link):
    unverified_client.get(link)
    again = unverified_client.get(link)

    assert again.status_code == 302
    assert "Your email address was already verified." in _messages(again)
    assert len(mail.outbox) == 1


def test_tampered_link_shows_a_clear_page_and_changes_nothing(client, unverified, link):
    token = link.rstrip("/").rsplit("/", 1)[1]
    tampered = reverse("accounts:verify", args=[token[:-3] + "abc"])

    response = client.get(tampered)

    assert response.status_code == 400
    content = response.content.decode()
    assert "This link doesn’t work" in content
    assert "This link is not valid" in content
    unverified.refresh_from_db()
    assert not unverified.email_verified
    assert mail.outbox == []


def test_garbage_token_is_a_400_not_a_500(client, db):
    response = client.get(reverse("accounts:verify", args=["nonsense"]))
    assert response.status_code == 400


def test_expired_link_says_so_and_changes_nothing(unverified_client, unverified, link):
    with override_settings(WHISPER_VERIFY_MAX_AGE=-1):
        response = unverified_client.get(link)

    assert response.status_code == 400
    content = response.content.decode()
    assert "This link has expired" in content
    assert reverse("accounts:verify_resend") in content  # offers a fresh link
    unverified.refresh_from_db()
    assert not unverified.email_verified
    assert mail.outbox == []


def test_link_dies_when_the_address_changes(client, unverified, link):
    unverified.email = "robin@elsewhere.example"
    unverified.save()

    response = client.get(link)

    assert response.status_code == 400
    assert "no longer uses" in response.content.decode()
    unverified.refresh_from_db()
    assert not unverified.email_verified


def test_post_is_not_allowed(client, unverified, link):
    response = client.post(link)
    assert response.status_code == 405
    unverified.refresh_from_db()
    assert not unverified.email_verified
