"""Resetting a forgotten password through a link sent by mail."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from apps.accounts.models import User
from tests.accounts.conftest import link_path

URL = reverse("accounts:password_reset")
NEW = "quiet-harbour-lights-7"


@pytest.mark.django_db
def test_page_asks_for_the_address(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert 'name="email"' in response.content.decode()


def test_full_flow_through_the_mail_link(client, couple, password):
    response = client.post(URL, {"email": "ALEX@example.com"})

    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_done")
    assert "we’ve sent it a link" in client.get(response.url).content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alex@example.com"]
    assert message.subject == "Reset your Whisper password"
    assert "Hello Alex" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert link_path(message) in html

    # Django swaps the token in the URL for one in the session, then shows the form.
    opened = client.get(link_path(message))
    assert opened.status_code == 302
    form_page = client.get(opened.url)
    assert form_page.status_code == 200
    assert "Choose a new password" in form_page.content.decode()

    done = client.post(opened.url, {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302
    assert done.url == reverse("accounts:password_reset_complete")
    assert "Your new password is set" in client.get(done.url).content.decode()

    couple.refresh_from_db()
    assert couple.check_password(NEW)
    assert not couple.check_password(password)
    assert client.login(username="alex@example.com", password=NEW)


def test_the_link_works_only_once(client, couple):
    client.post(URL, {"email": couple.email})
    path = link_path(mail.outbox[0])
    opened = client.get(path)
    client.post(opened.url, {"new_password1": NEW, "new_password2": NEW})

    again = client.get(path)

    assert again.status_code == 400
    assert "This link doesn’t work" in again.content.decode()


def test_tampered_link_is_refused(client, couple, password):
    client.post(URL, {"email": couple.email})
    path = link_path(mail.outbox[0])
    response = client.get(path[:-4] + "zzz/")

    assert response.status_code == 400
    assert "This link doesn’t work" in response.content.decode()
    couple.refresh_from_db()
    assert couple.check_password(password)


def test_a_weak_new_password_is_refused(client, couple, password):
    client.post(URL, {"email": couple.email})
    opened = client.get(link_path(mail.outbox[0]))

    response = client.post(opened.url, {"new_password1": "password", "new_password2": "password"})

    assert response.status_code == 200
    assert "This password is too common." in response.content.decode()
    couple.refresh_from_db()
    assert couple.check_password(password)


@pytest.mark.django_db
def test_unknown_address_looks_the_same_but_sends_nothing(client):
    response = client.post(URL, {"email": "nobody@example.com"})

    assert response.status_code == 302
    assert response.url == reverse("accounts:password_reset_done")
    assert mail.outbox == []
    assert not User.objects.exists()


def test_stops_sending_after_a_few_requests_for_one_address(client, couple, settings):
    settings.WHISPER_RATE_MAIL = "5/h"
    for _ in range(7):
        response = client.post(URL, {"email": couple.email})
        assert response.status_code == 302
    assert len(mail.outbox) == 5
