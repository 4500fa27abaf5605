"""reservations:pledge_manage — the guest's signed link to change or cancel a pledge."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from apps.items.models import Item
from apps.ops import flags
from apps.registries.models import Registry
from apps.reservations import services
from apps.reservations.models import Pledge, Reservation
from tests.gifts import group_gift, switch_off

pytestmark = pytest.mark.django_db


@pytest.fixture
def bike(registry):
    return group_gift(registry, price="300.00", title="Tandem bike")


@pytest.fixture
def pledge(bike) -> Pledge:
    made = services.AMOUNTS.take(bike.pk, Decimal("100"), "Robin", "robin@example.com", message="Ride on!")
    mail.outbox.clear()
    return made


def test_the_page_shows_the_pledge_and_is_private(client, pledge):
    response = client.get(pledge.get_manage_url())
    html = response.content.decode()

    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex"
    assert response["Referrer-Policy"] == "same-origin"
    assert "Tandem bike" in html
    assert "$100.00" in html
    assert "Ride on!" in html
    assert 'name="amount" value="100.00"' in html


def test_changing_the_amount(client, pledge, bike):
    response = client.post(pledge.get_manage_url(), {"action": "amount", "amount": "150"}, follow=True)

    pledge.refresh_from_db()
    bike.refresh_from_db()
    assert (pledge.amount, bike.pledged_total) == (Decimal("150.00"), Decimal("150.00"))
    assert "Done — you now pledge $150.00." in response.content.decode()
    assert [m.to for m in mail.outbox] == [["robin@example.com"]]


def test_raising_past_the_price_is_refused_and_changes_nothing(client, pledge, bike):
    Item.objects.filter(pk=bike.pk).update(pledged_total=Decimal("280"))  # others pledged 180

    response = client.post(pledge.get_manage_url(), {"action": "amount", "amount": "130"})

    assert response.status_code == 200
    assert (
        "only $20.00 more left to contribute, so you can pledge at most $120.00" in response.content.decode()
    )
    pledge.refresh_from_db()
    assert pledge.amount == Decimal("100.00")
    assert mail.outbox == []


def test_cancelling(client, pledge, bike):
    response = client.post(pledge.get_manage_url(), {"action": "cancel"}, follow=True)
    html = response.content.decode()

    pledge.refresh_from_db()
    bike.refresh_from_db()
    assert pledge.cancelled_at is not None
    assert bike.pledged_total == Decimal("0.00")
    assert "Your pledge is cancelled" in html
    assert 'name="amount"' not in html
    again = client.post(pledge.get_manage_url(), {"action": "amount", "amount": "5"}, follow=True)
    assert "This pledge was cancelled" in again.content.decode()
    assert len(mail.outbox) == 1


def test_an_unknown_action_changes_nothing(client, pledge):
    response = client.post(pledge.get_manage_url(), {"action": "delete-everything"}, follow=True)

    assert "didn&#x27;t understand" in response.content.decode()
    pledge.refresh_from_db()
    assert pledge.is_active and pledge.amount == Decimal("100.00")


def test_a_tampered_token_is_a_404(client, pledge):
    token = pledge.token
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")

    assert client.get(reverse("reservations:pledge_manage", args=[tampered])).status_code == 404
    assert (
        client.post(
            reverse("reservations:pledge_manage", args=["nonsense"]), {"action": "cancel"}
        ).status_code
        == 404
    )
    pledge.refresh_from_db()
    assert pledge.is_active


def test_a_reservation_link_never_opens_a_pledge(client, pledge):
    """The same id signed for a reservation (another salt) is no pledge link."""
    reservation_token = signing.Signer(salt=Reservation.TOKEN_SALT).sign_object(pledge.pk, compress=True)

    assert client.get(reverse("reservations:pledge_manage", args=[reservation_token])).status_code == 404


def test_the_link_expires_long_after_the_event(client, pledge, registry, settings):
    Registry.objects.filter(pk=registry.pk).update(
        event_date=timezone.localdate() - datetime.timedelta(days=settings.WHISPER_TOKEN_DAYS_AFTER_EVENT + 1)
    )

    response = client.post(pledge.get_manage_url(), {"action": "cancel"})

    assert response.status_code == 410
    assert "pledge toward “Tandem bike”" in response.content.decode()
    pledge.refresh_from_db()
    assert pledge.is_active


def test_with_the_flag_off_the_link_is_a_404(client, pledge, django_capture_on_commit_callbacks):
    switch_off(flags.GROUP_GIFTS, django_capture_on_commit_callbacks)

    assert client.get(pledge.get_manage_url()).status_code == 404
