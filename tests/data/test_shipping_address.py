"""The delivery address is the couple's data: in their export, and gone with their account."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.urls import reverse

from apps.registries.models import Registry
from apps.reservations import services
from apps.reservations.models import Reservation

pytestmark = pytest.mark.django_db

ADDRESS = "Rua das Flores 9\n1200-195 Lisboa"


@pytest.fixture
def addressed(registry):
    registry.shipping, registry.shipping_address = Registry.Shipping.ADDRESS, ADDRESS
    registry.save()
    return registry


def test_the_export_holds_the_address_and_the_guests_card_addresses(owner_client, addressed, items):
    services.reserve(items[0].pk, 1, "Pat", "pat@example.com", thank_you_address="5 Card Street")
    archive = zipfile.ZipFile(io.BytesIO(owner_client.get(reverse("accounts:export")).content))

    exported = json.loads(archive.read("whisper-export.json"))["registries"][0]
    assert (exported["shipping"], exported["shipping_address"]) == ("address", ADDRESS)
    assert "Rua das Flores 9" in archive.read("registries.csv").decode("utf-8-sig")
    assert "5 Card Street" in archive.read("reservations.csv").decode("utf-8-sig")


def test_it_goes_with_the_account(owner_client, couple, addressed, password):
    response = owner_client.post(reverse("accounts:delete"), {"password": password})

    assert response.status_code == 302
    assert not Registry.objects.filter(shipping_address__contains="Rua das Flores").exists()


def test_a_guest_leaves_an_address_for_a_card_when_reserving(client, addressed, items):
    url = reverse("reservations:reserve", args=[addressed.slug, items[0].pk])
    form = client.get(url).content.decode()
    assert "Your postal address, for a thank-you card" in form
    assert "erase it with your other details after the event" in form

    client.post(
        url,
        {
            "quantity": 1,
            "guest_name": "Pat",
            "guest_email": "p@example.com",
            "thank_you_address": "5 Card St",
        },
    )

    assert Reservation.objects.get(guest_email="p@example.com").thank_you_address == "5 Card St"
