"""Opening the link sent to the new address: only then does the address change."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from apps.accounts import services
from tests.accounts.conftest import link_path
from tests.factories import UserFactory


@pytest.fixture
def link(couple) -> str:
    services.request_email_change(couple, "alex.new@example.com")
    path = link_path(mail.outbox[-1])
    mail.outbox.clear()
    return path


def test_the_link_switches_the_address(owner_client, couple, password, link):
    response = owner_client.get(link)

    assert response.status_code == 302
    assert response.url == reverse("accounts:settings")
    assert "Done — your account now uses alex.new@example.com." in [
        str(m) for m in get_messages(response.wsgi_request)
    ]
    couple.refresh_from_db()
    assert couple.email == "alex.new@example.com"
    assert couple.email_verified
    assert owner_client.get(reverse("accounts:settings")).status_code == 200  # still logged in
    owner_client.logout()
    assert owner_client.login(username="alex.new@example.com", password=password)
    assert not owner_client.login(username="alex@example.com", password=password)


def test_works_in_another_browser_and_verifies_the_new_address(client, unverified):
    services.request_email_change(unverified, "robin@new.example")
    response = client.get(link_path(mail.outbox[0]))

    assert response.status_code == 302
    unverified.refresh_from_db()
    assert unverified.email == "robin@new.example"
    assert unverified.email_verified


def test_opening_it_twice_is_fine(owner_client, couple, link):
    owner_client.get(link)
    again = owner_client.get(link)

    assert again.status_code == 302
    assert "Your account already uses alex.new@example.com." in [
        str(m) for m in get_messages(again.wsgi_request)
    ]


def test_tampered_link_changes_nothing(client, couple, link):
    response = client.get(link[:-4] + "zz/")

    assert response.status_code == 400
    assert "This link is not valid" in response.content.decode()
    couple.refresh_from_db()
    assert couple.email == "alex@example.com"


def test_expired_link_changes_nothing(client, couple, link):
    with override_settings(WHISPER_VERIFY_MAX_AGE=-1):
        response = client.get(link)

    assert response.status_code == 400
    assert "This link has expired" in response.content.decode()
    couple.refresh_from_db()
    assert couple.email == "alex@example.com"


def test_an_address_taken_in_the_meantime_is_refused(client, couple, link):
    UserFactory(email="Alex.New@example.com")

    response = client.get(link)

    assert response.status_code == 400
    assert "An account with this email address already exists" in response.content.decode()
    couple.refresh_from_db()
    assert couple.email == "alex@example.com"


def test_an_older_link_dies_once_another_change_went_through(client, couple, link):
    services.request_email_change(couple, "alex.other@example.com")
    client.get(link_path(mail.outbox[-1]))

    response = client.get(link)

    assert response.status_code == 400
    assert "out of date" in response.content.decode()
    couple.refresh_from_db()
    assert couple.email == "alex.other@example.com"
