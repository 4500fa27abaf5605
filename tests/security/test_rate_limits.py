"""Rate limits (apps.core.ratelimit): over the limit, a friendly 429 page with
``Retry-After``, and the view never runs — nothing is written.

Each limited form is listed with what one more request would write; its rate
setting is lowered for the test (whisper/settings/test.py keeps them high).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from apps.accounts.models import User
from apps.importer.models import ImportJob
from apps.reservations.models import Pledge, Reservation
from tests.security.conftest import PASSPHRASE

pytestmark = pytest.mark.django_db

FRIENDLY = "That was a lot, very quickly"


@dataclass
class Limited:
    setting: str
    method: str
    url: Any  # site -> url
    data: Any  # (site, n) -> dict
    rows: Any  # () -> int: what a request that goes through adds to
    user: str = ""  # "" anonymous, "owner" the couple
    retry_after: str = "60"


LIMITED = {
    "reserve": Limited(
        "WHISPER_RATE_RESERVE",
        "post",
        lambda site: reverse("reservations:reserve", args=[site.registry.slug, _unlimited(site).pk]),
        lambda site, n: {"quantity": "1", "guest_name": f"Guest {n}", "guest_email": f"g{n}@example.com"},
        lambda: Reservation.objects.count(),
    ),
    "pledge": Limited(
        "WHISPER_RATE_PLEDGE",
        "post",
        lambda site: reverse(
            "reservations:pledge", args=[site.registry.slug, site.world.objects["pledge"].item_id]
        ),
        lambda site, n: {"amount": "5", "guest_name": f"Giver {n}", "guest_email": f"p{n}@example.com"},
        lambda: Pledge.objects.count(),
    ),
    "signup": Limited(
        "WHISPER_RATE_SIGNUP",
        "post",
        lambda site: reverse("accounts:signup"),
        lambda site, n: {
            "name": f"Couple {n}",
            "email": f"new{n}@example.com",
            "password1": "a long pass phrase",
            "password2": "a long pass phrase",
        },
        lambda: User.objects.count(),
    ),
    "import": Limited(
        "WHISPER_RATE_IMPORT",
        "post",
        lambda site: reverse("importer:start", args=[site.registry.slug]),
        lambda site, n: {"url": f"https://shop.example/product/{n}"},
        lambda: ImportJob.objects.count(),
        user="owner",
    ),
    "search": Limited(
        "WHISPER_RATE_SEARCH",
        "get",
        lambda site: reverse("registries:search"),
        lambda site, n: {"q": f"Alex {n}"},
        lambda: 0,
    ),
}


def _unlimited(site):
    return site.registry.items.get(unlimited=True)


def _client(site, limited: Limited, address: str) -> Client:
    client = Client(REMOTE_ADDR=address)
    if limited.user == "owner":
        client.force_login(site.couple)
    return client


@pytest.fixture
def no_fetching(monkeypatch):
    """Imports are queued, not fetched (the importer's own tests fetch)."""
    monkeypatch.setattr("apps.importer.tasks.run_import_task.delay", lambda *args, **kwargs: None)


@pytest.mark.parametrize("name", list(LIMITED))
def test_over_the_limit_a_friendly_429_and_nothing_written(site, fixed_window, no_fetching, name, settings):
    limited = LIMITED[name]
    setattr(settings, limited.setting, "2/m")
    client = _client(site, limited, "203.0.113.7")
    send = getattr(client, limited.method)
    url = limited.url(site)
    for n in range(2):
        assert send(url, limited.data(site, n)).status_code in (200, 302)
    before = limited.rows()

    response = send(url, limited.data(site, 2))

    assert response.status_code == 429
    assert FRIENDLY in response.content.decode()
    assert response["Retry-After"] == limited.retry_after
    assert limited.rows() == before
    # Another visitor is not held back by this one.
    other = getattr(_client(site, limited, "198.51.100.20"), limited.method)
    assert other(url, limited.data(site, 3)).status_code in (200, 302)


def test_the_form_itself_stays_readable_over_the_limit(site, fixed_window, settings):
    settings.WHISPER_RATE_RESERVE = "1/m"
    guest = Client()
    url = LIMITED["reserve"].url(site)
    guest.post(url, LIMITED["reserve"].data(site, 0))
    assert guest.post(url, LIMITED["reserve"].data(site, 1)).status_code == 429
    assert guest.get(url).status_code == 200  # only the POST is counted


def test_retry_after_follows_the_rate(site, fixed_window, settings):
    settings.WHISPER_RATE_SIGNUP = "1/h"
    guest = Client()
    for n in range(2):
        response = guest.post(reverse("accounts:signup"), LIMITED["signup"].data(site, n))
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    assert "about 60 minutes" in response.content.decode()


# The passphrase: two limits --------------------------------------------------------
def test_passphrase_guessing_across_registries_is_limited(site, fixed_window, settings):
    settings.WHISPER_RATE_PASSPHRASE = "3/m"
    guest = Client()
    url = reverse("registries:passphrase", args=[site.other_world.registry.slug])
    for _ in range(3):
        assert guest.post(url, {"passphrase": "wrong"}).status_code == 200
    response = guest.post(url, {"passphrase": PASSPHRASE})  # even the right one waits
    assert response.status_code == 429
    assert FRIENDLY in response.content.decode()
    assert guest.get(reverse("registries:public", args=[site.other_world.registry.slug])).status_code == 302


def test_wrong_passphrases_for_one_registry_get_the_passphrase_page_with_a_429(site, fixed_window, settings):
    settings.WHISPER_RATE_WRONG_PASSPHRASE = "10/m"
    guest = Client()
    url = reverse("registries:passphrase", args=[site.other_world.registry.slug])
    for _ in range(10):
        assert guest.post(url, {"passphrase": "wrong"}).status_code == 200
    response = guest.post(url, {"passphrase": "wrong"})
    assert response.status_code == 429
    assert "Too many tries" in response.content.decode()


# Behind nginx ------------------------------------------------------------------------
@override_settings(WHISPER_TRUSTED_PROXIES=["127.0.0.1"], WHISPER_RATE_SEARCH="1/m")
def test_behind_our_proxy_each_visitor_has_their_own_count(site, fixed_window):
    url = reverse("registries:search")
    proxy = Client(REMOTE_ADDR="127.0.0.1")
    assert proxy.get(url, HTTP_X_REAL_IP="203.0.113.1").status_code == 200
    assert proxy.get(url, HTTP_X_REAL_IP="203.0.113.2").status_code == 200  # someone else
    assert proxy.get(url, HTTP_X_REAL_IP="203.0.113.1").status_code == 429  # the first one again


@override_settings(WHISPER_TRUSTED_PROXIES=["127.0.0.1"], WHISPER_RATE_SEARCH="1/m")
def test_a_visitor_cannot_choose_their_address(site, fixed_window):
    url = reverse("registries:search")
    direct = Client(REMOTE_ADDR="203.0.113.9")
    assert direct.get(url, HTTP_X_REAL_IP="198.51.100.1").status_code == 200
    assert direct.get(url, HTTP_X_REAL_IP="198.51.100.2").status_code == 429  # the header is not believed
    assert direct.get(url, HTTP_X_FORWARDED_FOR="198.51.100.3").status_code == 429
