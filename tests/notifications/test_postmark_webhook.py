"""Postmark's bounce and spam-complaint webhooks (recorded payloads in data/)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from apps.core import emails
from apps.notifications.models import OutgoingMessage, SuppressedAddress
from tests.factories import ItemFactory, ReservationFactory

from .conftest import WEBHOOK_AUTH, basic_auth, webhook_payload

pytestmark = pytest.mark.django_db

URL = "/anymail/postmark/tracking/"
Reason = SuppressedAddress.Reason


def post(client, name: str, auth: str | None = WEBHOOK_AUTH, **changes):
    headers = {"HTTP_AUTHORIZATION": basic_auth(auth)} if auth else {}
    return client.post(URL, webhook_payload(name, **changes), content_type="application/json", **headers)


def test_the_url_is_where_postmark_is_told_to_post():
    assert reverse("notifications:postmark_tracking") == URL


@pytest.mark.parametrize(
    ("name", "reason"), [("postmark_bounce", Reason.BOUNCED), ("postmark_spam_complaint", Reason.COMPLAINED)]
)
def test_a_bounce_or_complaint_stops_all_mail_to_the_address(client, name, reason):
    response = post(client, name, Email="Robin@Example.com")

    assert response.status_code == 200
    row = SuppressedAddress.objects.get()
    assert (row.email, row.reason) == ("robin@example.com", reason)
    assert row.description

    message = emails.send("welcome", "robin@example.com", {"name": "Robin", "create_url": "/"})
    message.refresh_from_db()
    assert message.status == OutgoingMessage.Status.SKIPPED
    assert mail.outbox == []


def test_the_same_event_twice_is_answered_200_and_changes_nothing_more(client):
    assert post(client, "postmark_bounce").status_code == 200
    first = SuppressedAddress.objects.get()

    assert post(client, "postmark_bounce").status_code == 200

    assert SuppressedAddress.objects.get().reason == first.reason
    assert SuppressedAddress.objects.count() == 1


def test_a_complaint_after_an_unsubscribe_stops_transactional_mail_too(client):
    from apps.notifications import services

    services.unsubscribe("robin@example.com")

    post(client, "postmark_spam_complaint")

    assert SuppressedAddress.objects.get().reason == Reason.COMPLAINED


@pytest.mark.parametrize("name", ["postmark_soft_bounce", "postmark_delivery"])
def test_soft_bounces_and_deliveries_change_nothing(client, name):
    assert post(client, name).status_code == 200

    assert not SuppressedAddress.objects.exists()


@pytest.mark.parametrize("auth", ["postmark:wrong-secret", "someone:test-webhook-secret", None])
def test_a_forged_webhook_is_refused_with_403_and_changes_nothing(client, auth):
    response = post(client, "postmark_bounce", auth=auth)

    assert response.status_code == 403
    assert not SuppressedAddress.objects.exists()


def _post_raw(client, body: bytes):
    return client.post(
        URL, body, content_type="application/json", HTTP_AUTHORIZATION=basic_auth(WEBHOOK_AUTH)
    )


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"{",
        b'{"RecordType": "Bounce", "Email": ',
        b"[]",
        b"null",
        b'"robin@example.com"',
        b"42",
        b"\xff\xfe{}",
        b"[" * 100_000 + b"]" * 100_000,
        b'{"FromFull": {}}',  # an inbound message posted to the tracking URL
    ],
    ids=["empty", "brace", "cut", "list", "null", "string", "number", "not-utf8", "deep", "inbound"],
)
def test_a_body_that_is_no_event_is_a_400_and_changes_nothing(client, body):
    assert _post_raw(client, body).status_code == 400
    assert not SuppressedAddress.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"Email": ["robin@example.com"]},
        {"Email": 42},
        {"Email": {"Address": "robin@example.com"}},
        {"Email": "robin\x00@example.com"},
        {"Email": "r" * 388 + "@example.com"},  # 400 characters
        {"Email": "not an address"},
        {"Type": ["HardBounce"]},
        {"Metadata": "anymail_id"},
        {"BouncedAt": 20261120},
    ],
    ids=["list", "int", "object", "nul", "400-chars", "no-address", "type-list", "metadata-str", "date-int"],
)
def test_a_malformed_bounce_is_a_400_and_changes_nothing(client, changes):
    assert post(client, "postmark_bounce", **changes).status_code == 400
    assert not SuppressedAddress.objects.exists()


def test_odd_free_text_in_a_bounce_is_stored_as_text_without_nul(client):
    response = post(client, "postmark_bounce", Description="550\x00 no such user " * 50, ID="4323\x00372")

    assert response.status_code == 200
    row = SuppressedAddress.objects.get()
    assert row.description.startswith("550 no such user 550 no such user")
    assert len(row.description) == 500
    assert row.provider_event_id == "4323372"


def test_the_couple_sees_why_a_guest_got_no_mail(owner_client, registry, client):
    item = ItemFactory(registry=registry, title="Teapot", quantity=2)
    ReservationFactory(item=item, guest_name="Robin", guest_email="Robin@example.com")
    ReservationFactory(item=item, guest_name="Sam", guest_email="sam@example.com")
    post(client, "postmark_bounce", Email="robin@example.com")

    html = owner_client.get(reverse("registries:dashboard", args=[registry.slug])).content.decode()

    assert html.count("Mail not delivered") == 1
    assert "Mail not delivered: the address bounced" in html


def test_the_dashboard_note_costs_one_query_whatever_the_number_of_guests(owner_client, registry, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.notifications import services

    # A cache of this test's own, so that shared-memcached noise cannot skew the count.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "mail"}
    }
    url = reverse("registries:dashboard", args=[registry.slug])

    def add_bounced_guests(n: int) -> None:
        item = ItemFactory(registry=registry, quantity=n)
        for _ in range(n):
            services.suppress(ReservationFactory(item=item).guest_email, Reason.BOUNCED)

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            html = owner_client.get(url).content.decode()
        return len(ctx.captured_queries), html.count("Mail not delivered")

    add_bounced_guests(2)
    owner_client.get(url)  # warm the session cache
    few, notes = queries()
    assert notes == 2
    add_bounced_guests(10)
    many, notes = queries()
    assert notes == 12
    assert many == few
