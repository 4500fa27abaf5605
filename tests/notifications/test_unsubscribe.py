"""The signed unsubscribe link of every notification: GET confirms, POST unsubscribes."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client

from apps.notifications import outbox
from apps.notifications.models import OutgoingMessage, SuppressedAddress

pytestmark = pytest.mark.django_db


def _url(email: str = "robin@example.com") -> str:
    return urlsplit(outbox.unsubscribe_url(email)).path


def test_opening_the_link_asks_first_and_changes_nothing(client):
    response = client.get(_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert "robin@example.com" in html
    assert 'method="post"' in html
    assert not SuppressedAddress.objects.exists()


def test_the_button_unsubscribes(client):
    response = client.post(_url())

    assert response.status_code == 200
    assert "You’re unsubscribed" in response.content.decode()
    row = SuppressedAddress.objects.get()
    assert (row.email, row.reason) == ("robin@example.com", SuppressedAddress.Reason.UNSUBSCRIBED)


def test_one_click_unsubscribe_from_the_mail_app_needs_no_csrf_token():
    mail_app = Client(enforce_csrf_checks=True)

    response = mail_app.post(
        _url(), "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    assert SuppressedAddress.objects.filter(email="robin@example.com").exists()


def test_later_notifications_to_the_address_are_skipped(client):
    client.post(_url())

    message = outbox.queue(
        "owner_thank_you_reminder",
        "robin@example.com",
        {"registry": {"partner_one": "Alex", "partner_two": "Sam"}, "to_thank": 2, "dashboard_url": "/"},
    )

    message.refresh_from_db()
    assert message.status == OutgoingMessage.Status.SKIPPED
    assert mail.outbox == []


def test_unsubscribing_twice_is_fine_and_never_weakens_a_bounce(client):
    from apps.notifications import services

    services.suppress("robin@example.com", SuppressedAddress.Reason.BOUNCED)

    assert client.post(_url()).status_code == 200
    assert client.post(_url()).status_code == 200

    assert SuppressedAddress.objects.get().reason == SuppressedAddress.Reason.BOUNCED


@pytest.mark.parametrize("token", ["nonsense", "cm9iaW5AZXhhbXBsZS5jb20:1xVgnf:forged"])
def test_a_broken_or_forged_link_says_so_and_changes_nothing(client, token):
    for method in (client.get, client.post):
        response = method(f"/unsubscribe/{token}/")

        assert response.status_code == 400
        assert "This link doesn’t work" in response.content.decode()
    assert not SuppressedAddress.objects.exists()


def test_a_token_for_another_purpose_is_refused(client):
    from django.core import signing

    token = signing.dumps("robin@example.com", salt="reservations.manage")

    assert client.post(f"/unsubscribe/{token}/").status_code == 400
    assert not SuppressedAddress.objects.exists()
