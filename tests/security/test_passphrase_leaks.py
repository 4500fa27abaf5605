"""A protected registry's passphrase is told once, by the couple, to their
guests — and never again by Whisper: not in a page, a URL, the session, the
database (only its hash), the timelog, or a mail.
"""

from __future__ import annotations

import datetime
import secrets

import pytest
from django.conf import settings
from django.contrib.auth.hashers import identify_hasher
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.notifications.models import OutgoingMessage
from apps.registries.models import Registry

pytestmark = pytest.mark.django_db


@pytest.fixture
def passphrase() -> str:
    return f"velvet-{secrets.token_hex(6)}"


@pytest.fixture
def protected(owner_client, registry, passphrase) -> Registry:
    """The couple makes their registry protected through the settings form."""
    response = owner_client.post(
        reverse("registries:edit", args=[registry.slug]),
        {
            "partner_one": registry.partner_one,
            "partner_two": registry.partner_two,
            "event_date": (timezone.localdate() + datetime.timedelta(days=60)).isoformat(),
            "location": registry.location,
            "welcome_message": registry.welcome_message,
            "slug": registry.slug,
            "privacy": Registry.Privacy.PROTECTED,
            "passphrase": passphrase,
            "spoilers": registry.spoilers,
        },
    )
    assert response.status_code == 302
    registry.refresh_from_db()
    assert registry.is_protected and registry.check_passphrase(passphrase)
    return registry


def test_only_a_hash_is_stored(protected, passphrase):
    assert passphrase not in protected.passphrase_hash
    assert identify_hasher(protected.passphrase_hash)  # a password hash, salted


def test_the_couples_pages_never_show_it_again(owner_client, protected, passphrase):
    for url in (
        reverse("registries:edit", args=[protected.slug]),
        reverse("registries:dashboard", args=[protected.slug]),
        reverse("registries:public", args=[protected.slug]),
        reverse("registries:mine"),
    ):
        response = owner_client.get(url)
        assert response.status_code == 200
        assert passphrase not in response.content.decode(), url


def test_a_guest_types_it_in_a_post_and_the_session_keeps_no_copy(protected, passphrase):
    guest = Client()
    page = guest.get(reverse("registries:passphrase", args=[protected.slug]))
    assert 'method="post"' in page.content.decode()  # never in a URL, a log line or a Referer

    wrong = guest.post(
        reverse("registries:passphrase", args=[protected.slug]), {"passphrase": passphrase + "x"}
    )
    assert passphrase not in wrong.content.decode()  # what was typed is not echoed back

    response = guest.post(reverse("registries:passphrase", args=[protected.slug]), {"passphrase": passphrase})
    assert response.status_code == 302
    assert passphrase not in response["Location"]
    assert guest.get(reverse("registries:public", args=[protected.slug])).status_code == 200

    stored = Session.objects.get(session_key=guest.session.session_key).get_decoded()
    assert passphrase not in repr(stored)
    assert protected.passphrase_hash not in repr(stored)


def test_no_mail_and_no_log_carries_it(protected, passphrase):
    Client().post(reverse("registries:passphrase", args=[protected.slug]), {"passphrase": passphrase})
    for message in mail.outbox:
        assert passphrase not in message.body
    for row in OutgoingMessage.objects.all():
        assert passphrase not in row.text_body + row.html_body
    if settings.TIMELOG_LOG.exists():
        assert passphrase not in settings.TIMELOG_LOG.read_text(errors="replace")
