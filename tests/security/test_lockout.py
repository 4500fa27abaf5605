"""Brute force on the login (django-axes): five wrong passwords for one account
from one address (an IPv6 visitor: from one /64) pause logging in to that
account from there for an hour — with a friendly page, even for the right
password. Other addresses and other accounts carry on, until twenty wrong
passwords from anywhere pause the account itself; a password reset by mail
opens it again at once.
"""

from __future__ import annotations

import datetime

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.accounts.conftest import link_path
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PAUSED = "Logging in is paused for a while"
WRONG = "That email and password don’t match an account"


def _login(client: Client, email: str, password: str, url: str | None = None):
    return client.post(url or reverse("accounts:login"), {"username": email, "password": password})


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _hammer(client: Client, email: str, times: int = 5, url: str | None = None) -> list:
    return [_login(client, email, f"wrong-{n}", url) for n in range(times)]


def test_five_wrong_passwords_pause_the_account_even_for_the_right_one(couple):
    attacker = Client(REMOTE_ADDR="203.0.113.66")
    responses = _hammer(attacker, couple.email)
    assert [r.status_code for r in responses[:4]] == [200] * 4
    assert WRONG in responses[0].content.decode()
    assert responses[4].status_code == 429

    response = _login(attacker, couple.email, PASSWORD)

    assert response.status_code == 429
    assert PAUSED in response.content.decode()
    assert response["Retry-After"] == "3600"
    assert "an hour" in response.content.decode()
    assert reverse("accounts:password_reset") in response.content.decode()
    assert not _logged_in(attacker)


def test_the_address_in_another_case_is_the_same_account(couple):
    attacker = Client(REMOTE_ADDR="203.0.113.66")
    _hammer(attacker, couple.email.upper())
    assert _login(attacker, couple.email, PASSWORD).status_code == 429


def test_the_couple_elsewhere_and_other_accounts_here_are_not_locked(couple):
    _hammer(Client(REMOTE_ADDR="203.0.113.66"), couple.email)

    at_home = Client(REMOTE_ADDR="198.51.100.5")
    assert _login(at_home, couple.email, PASSWORD).status_code == 302
    assert _logged_in(at_home)

    neighbour = UserFactory(email="sam@example.com")
    same_address = Client(REMOTE_ADDR="203.0.113.66")
    assert _login(same_address, neighbour.email, PASSWORD).status_code == 302
    assert _logged_in(same_address)


def test_after_an_hour_the_account_opens_again(couple):
    attacker = Client(REMOTE_ADDR="203.0.113.66")
    _hammer(attacker, couple.email)
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(hours=1, minutes=1))

    assert _login(attacker, couple.email, PASSWORD).status_code == 302


def test_four_wrong_then_the_right_one_starts_counting_again(couple):
    client = Client(REMOTE_ADDR="203.0.113.66")
    _hammer(client, couple.email, times=4)
    assert _login(client, couple.email, PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    _hammer(client, couple.email, times=4)
    assert _login(client, couple.email, PASSWORD).status_code == 302


def test_the_admin_login_is_watched_too(db):
    staff = UserFactory(email="ops@whisper.example", is_staff=True)
    attacker = Client(REMOTE_ADDR="203.0.113.66")
    _hammer(attacker, staff.email, url=reverse("admin:login"))
    response = _login(attacker, staff.email, PASSWORD, url=reverse("admin:login"))
    assert response.status_code == 429
    assert not _logged_in(attacker)


def test_an_ipv6_network_counts_as_one_address(couple):
    for host in range(1, 6):  # five wrong passwords, each from another address of one /64
        _login(Client(REMOTE_ADDR=f"2001:db8:1:2::{host}"), couple.email, "wrong")

    same_network = Client(REMOTE_ADDR="2001:db8:1:2:ffff::9")
    assert _login(same_network, couple.email, PASSWORD).status_code == 429
    assert not _logged_in(same_network)
    other_network = Client(REMOTE_ADDR="2001:db8:1:3::1")
    assert _login(other_network, couple.email, PASSWORD).status_code == 302


def test_twenty_wrong_from_anywhere_pause_the_account_until_a_reset_by_mail(couple):
    for network in range(20):  # one try from each of twenty networks: no network reaches its limit
        _login(Client(REMOTE_ADDR=f"2001:db8:{network}::1"), couple.email, "wrong")

    fresh = Client(REMOTE_ADDR="198.51.100.5")
    response = _login(fresh, couple.email, PASSWORD)
    assert response.status_code == 429
    assert "reset your password" in response.content.decode()
    assert not _logged_in(fresh)

    fresh.post(reverse("accounts:password_reset"), {"email": couple.email})
    opened = fresh.get(link_path(mail.outbox[-1]))
    fresh.post(
        opened.url, {"new_password1": "quiet-harbour-lights-7", "new_password2": "quiet-harbour-lights-7"}
    )

    assert _login(fresh, couple.email, "quiet-harbour-lights-7").status_code == 302
    assert _logged_in(fresh)
