"""Whoever owns an address a guest typed: "this wasn't me" in one click, and a daily cap on guests' mail."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from apps.items.models import Item
from apps.notifications.models import OutgoingMessage, SuppressedAddress
from apps.reservations import services
from apps.reservations.models import Pledge, Reservation
from tests.gifts import group_gift, link_paths

pytestmark = pytest.mark.django_db


@pytest.fixture
def bike(registry):
    return group_gift(registry, price="300.00", title="Tandem bike")


def _take(kind: services.ClaimKind, item: Item, email: str = "robin@example.com"):
    value = 1 if kind is services.UNITS else Decimal("20")
    return kind.take(item.pk, value, "Someone", email)


@pytest.mark.parametrize("kind", [services.UNITS, services.AMOUNTS], ids=["reservation", "pledge"])
def test_this_wasnt_me_cancels_the_claim_and_stops_the_mail(client, hammock, bike, kind):
    item = hammock if kind is services.UNITS else bike
    claim = _take(kind, item)
    confirmation = mail.outbox[0]
    link = claim.get_not_me_url()
    assert link in link_paths(confirmation) and link in confirmation.alternatives[0][0]

    asked = client.get(link)  # what a mail scanner does: nothing changes

    assert asked.status_code == 200
    assert "This wasn’t me" in asked.content.decode()
    assert kind.model.objects.get(pk=claim.pk).is_active
    assert not SuppressedAddress.objects.exists()

    done = client.post(link)

    assert done.status_code == 200
    assert "cancelled" in done.content.decode() and "robin@example.com" in done.content.decode()
    assert not kind.model.objects.get(pk=claim.pk).is_active
    item.refresh_from_db()
    assert (item.reserved_count, item.pledged_total) == (0, 0)
    assert SuppressedAddress.objects.get().reason == SuppressedAddress.Reason.NOT_ME
    cancelled = OutgoingMessage.objects.get(template=f"{kind.mail}_cancelled")
    assert cancelled.status == OutgoingMessage.Status.SKIPPED  # not even that one
    assert len(mail.outbox) == 1

    # A new claim for that address, in any case, is refused with nothing written.
    with pytest.raises(services.AddressRefused) as refused:
        _take(kind, item, "Robin@Example.com")
    assert refused.value.code == "suppressed"
    assert kind.model.objects.count() == 1
    assert "already cancelled" in client.post(link).content.decode()


def test_the_two_links_open_only_their_own_page(client, hammock):
    reservation = _take(services.UNITS, hammock)

    wrong_way = reservation.get_not_me_url().replace(reservation.not_me_token, reservation.token)
    assert client.get(wrong_way).status_code == 404
    assert client.get(reverse("reservations:manage", args=[reservation.not_me_token])).status_code == 404
    pledge_way = reverse("reservations:pledge_manage_not_me", args=[reservation.not_me_token])
    assert client.post(pledge_way).status_code == 404
    assert Reservation.objects.get().is_active


def test_the_guest_form_says_why_a_suppressed_address_is_refused(client, hammock):
    SuppressedAddress.objects.create(email="robin@example.com", reason=SuppressedAddress.Reason.NOT_ME)
    url = reverse("reservations:reserve", args=[hammock.registry.slug, hammock.pk])

    response = client.post(url, {"quantity": 1, "guest_name": "Someone", "guest_email": "robin@example.com"})

    assert response.status_code == 200
    assert "We no longer send mail to robin@example.com" in response.content.decode()
    assert not Reservation.objects.exists() and mail.outbox == []


def test_an_unsubscribe_and_other_mail_to_the_address_do_not_hold_a_guest_up(settings, items):
    settings.WHISPER_GUEST_MAILS_PER_ADDRESS_PER_DAY = 1
    # They unsubscribed from our notifications, and got a mail that is not a guest's.
    SuppressedAddress.objects.create(email="robin@example.com", reason=SuppressedAddress.Reason.UNSUBSCRIBED)
    OutgoingMessage.objects.create(template="welcome", to="robin@example.com", subject="Hi", text_body="Hi")

    claim = _take(services.UNITS, items[0])

    assert Reservation.objects.filter(pk=claim.pk).exists()
    assert ["robin@example.com"] in [m.to for m in mail.outbox]  # their own confirmation still goes


def test_one_address_gets_a_days_share_of_guests_mail_and_no_more(client, settings, registry, items, bike):
    settings.WHISPER_GUEST_MAILS_PER_ADDRESS_PER_DAY = 3
    teapot, hammock = items[0], items[1]
    first = _take(services.UNITS, hammock, "victim@example.com")
    services.UNITS.change(first.pk, 2)  # a change mail counts too
    _take(services.AMOUNTS, bike, "VICTIM@example.com")
    before = (Reservation.objects.count(), Pledge.objects.count(), len(mail.outbox))

    for kind, item in ((services.UNITS, teapot), (services.AMOUNTS, bike)):
        with pytest.raises(services.AddressRefused) as refused:
            _take(kind, item, "Victim@Example.com")
        assert refused.value.code == "too_many_mails"
    url = reverse("reservations:reserve", args=[registry.slug, teapot.pk])
    page = client.post(url, {"quantity": 1, "guest_name": "Someone", "guest_email": "victim@example.com"})

    assert "the links in the mails you got" in page.content.decode()
    assert (Reservation.objects.count(), Pledge.objects.count(), len(mail.outbox)) == before
    assert Item.objects.get(pk=teapot.pk).reserved_count == 0
    _take(services.UNITS, teapot, "someone.else@example.com")  # others are not held up

    a_day_ago = timezone.now() - datetime.timedelta(days=1, minutes=1)
    OutgoingMessage.objects.filter(to__iexact="victim@example.com").update(created_at=a_day_ago)
    _take(services.UNITS, items[2], "victim@example.com")  # a new day
