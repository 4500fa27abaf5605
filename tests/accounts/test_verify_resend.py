"""Asking for another verification mail (POST only, rate limited)."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from tests.accounts.conftest import link_path

URL = reverse("accounts:verify_resend")


def test_sends_a_fresh_working_link(unverified_client, unverified):
    response = unverified_client.post(URL)

    assert response.status_code == 302
    assert response.url == reverse("accounts:verify_sent")
    assert [m.to for m in mail.outbox] == [["robin@example.com"]]
    assert "We sent a new link to robin@example.com." in [str(m) for m in get_messages(response.wsgi_request)]
    unverified_client.get(link_path(mail.outbox[0]))
    unverified.refresh_from_db()
    assert unverified.email_verified


def test_get_is_not_allowed(unverified_client):
    assert unverified_client.get(URL).status_code == 405
    assert mail.outbox == []


@pytest.mark.django_db
def test_anonymous_visitors_get_no_mail(client):
    response = client.post(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert mail.outbox == []


def test_nothing_to_resend_once_verified(owner_client):
    response = owner_client.post(URL)
    assert response.status_code == 302
    assert response.url == reverse("accounts:settings")
    assert mail.outbox == []


def test_stops_sending_after_a_few_requests(unverified_client, settings):
    settings.WHISPER_RATE_MAIL = "5/h"
    for _ in range(5):
        unverified_client.post(URL)
    response = unverified_client.post(URL)

    assert len(mail.outbox) == 5
    assert any("several emails" in str(m) for m in get_messages(response.wsgi_request))
