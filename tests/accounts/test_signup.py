"""The signup page: name, email and password twice, then a verification mail."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from apps.accounts.models import User
from tests.accounts.conftest import link_path

URL = reverse("accounts:signup")
STRONG = "lantern-orchard-42"


def _data(**overrides) -> dict:
    return {
        "name": "Sam",
        "email": "Sam@Example.com",
        "password1": STRONG,
        "password2": STRONG,
        **overrides,
    }


@pytest.mark.django_db
def test_page_shows_the_form(client):
    response = client.get(URL)
    assert response.status_code == 200
    content = response.content.decode()
    for name in ("name", "email", "password1", "password2"):
        assert f'name="{name}"' in content
    assert "Create my account" in content


@pytest.mark.django_db
def test_signup_creates_the_account_logs_in_and_mails_a_working_link(client):
    response = client.post(URL, _data())

    assert response.status_code == 302
    assert response.url == reverse("accounts:verify_sent")
    user = User.objects.get()
    assert user.email == "sam@example.com"
    assert user.name == "Sam"
    assert not user.email_verified
    assert user.check_password(STRONG)
    assert int(client.session["_auth_user_id"]) == user.pk

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["sam@example.com"]
    assert message.subject == "Confirm your email address for Whisper"
    assert "Hello Sam" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert link_path(message) in html

    page = client.get(response.url)
    assert "sam@example.com" in page.content.decode()

    opened = client.get(link_path(message))
    assert opened.status_code == 302
    user.refresh_from_db()
    assert user.email_verified


@pytest.mark.parametrize("email", ["alex@example.com", "ALEX@example.com", "  Alex@Example.COM "])
def test_an_address_in_use_in_any_case_is_refused(client, couple, email):
    response = client.post(URL, _data(email=email))

    assert response.status_code == 200
    assert "An account with this email address already exists" in response.content.decode()
    assert User.objects.count() == 1
    assert mail.outbox == []
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password1", "password2", "error"),
    [
        ("password", "password", "This password is too common."),
        ("short1", "short1", "This password is too short."),
        ("83920174615", "83920174615", "This password is entirely numeric."),
        (STRONG, STRONG + "x", "The two password fields didn’t match."),
    ],
)
def test_weak_or_mismatched_passwords_are_refused(client, password1, password2, error):
    response = client.post(URL, _data(password1=password1, password2=password2))

    assert response.status_code == 200
    assert error in response.content.decode()
    assert not User.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db
def test_name_and_a_valid_email_are_required(client):
    response = client.post(URL, _data(name="  ", email="not-an-address"))

    assert response.status_code == 200
    content = response.content.decode()
    assert "This field is required." in content
    assert "Enter a valid email address." in content
    assert not User.objects.exists()


@pytest.mark.django_db
def test_html_typed_in_the_name_is_escaped_on_pages_and_in_mail(client):
    name = '<script>alert("hi")</script>'
    client.post(URL, _data(name=name))

    assert User.objects.get().name == name
    page = client.get(reverse("accounts:settings")).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert" in page
    html, _ = mail.outbox[0].alternatives[0]
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html


def test_a_logged_in_couple_is_sent_on(owner_client):
    response = owner_client.get(URL)
    assert response.status_code == 302
    assert response.url == reverse("registries:mine")


@pytest.mark.django_db
def test_password_rules_are_valid_markup_styled_as_help(client):
    """The rules are a list: inside a <p> a browser splits it into big bullets."""
    content = client.get(URL).content.decode()

    assert '<div class="help" id="id_password1_helptext"><ul>' in content
    assert not re.search(r"<p[ >](?:(?!</p>).)*<ul", content, re.DOTALL)
