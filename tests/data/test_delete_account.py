"""accounts:delete — a couple deletes their account, with the registries they
own alone and their guests' data; a registry shared with a partner stays
with the partner. The password confirms it; they are logged out after.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from apps.accounts.models import User
from apps.items.models import Item
from apps.notifications.models import OutgoingMessage
from apps.payments.models import Order, Plan
from apps.registries.models import Registry
from apps.reservations.models import OffRegistryGift, Pledge, Reservation
from tests.data.conftest import with_guests
from tests.factories import PASSWORD, ItemFactory, RegistryFactory, image_file

pytestmark = pytest.mark.django_db


def _delete(client, password: str = PASSWORD):
    return client.post(reverse("accounts:delete"), {"password": password})


@pytest.fixture
def guests(registry):
    return with_guests(registry, "alex")


def test_the_page_says_what_goes_and_what_stays(owner_client, couple, registry, other_couple):
    shared = RegistryFactory(slug="shared-one", partner_one="Pat", owners=[couple, other_couple])
    page = owner_client.get(reverse("accounts:delete")).content.decode()
    assert f"/r/{registry.slug}/" in page and f"/r/{shared.slug}/" in page
    assert "stays, with your partner as its only owner" in page
    assert "deleted, with its gifts" in page


def test_a_wrong_password_deletes_nothing(owner_client, couple, registry, guests):
    response = _delete(owner_client, "not my password")

    assert response.status_code == 200
    assert "That is not your password. Nothing was deleted." in response.content.decode()
    assert User.objects.filter(pk=couple.pk).exists()
    assert Registry.objects.filter(pk=registry.pk).exists()
    assert owner_client.get(reverse("accounts:settings")).status_code == 200  # still logged in


def test_the_account_goes_with_its_registry_and_the_guests_data(
    owner_client, couple, registry, guests, other_couple, django_capture_on_commit_callbacks
):
    picture = ItemFactory(registry=registry, title="Lamp", image=image_file()).image.name
    Order.objects.create(
        registry=registry, plan=Plan.objects.get(slug="free"), created_by=couple, amount=1, currency="USD"
    )
    theirs = RegistryFactory(slug="jo-and-kim", owners=[other_couple])
    their_guests = with_guests(theirs, "jo")
    OutgoingMessage.objects.create(
        template="welcome", to=couple.email, subject="Hi", text_body="Hi", html_body=""
    )
    AccessAttempt.objects.create(username=couple.email, ip_address="203.0.113.1", failures_since_start=2)
    assert (Path(settings.MEDIA_ROOT) / picture).exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = _delete(owner_client)

    assert response.status_code == 302
    assert response["Location"] == reverse("pages:home")
    assert not User.objects.filter(pk=couple.pk).exists()
    assert not Registry.objects.filter(pk=registry.pk).exists()
    assert not Item.objects.filter(registry_id=registry.pk).exists()
    assert not Reservation.objects.filter(guest_email="alex@guests.example").exists()
    assert not Pledge.objects.filter(guest_email="alex.g@guests.example").exists()
    assert not OffRegistryGift.objects.filter(guest_name="alex Aunt").exists()
    assert not Order.objects.filter(registry_id=registry.pk).exists()
    assert not OutgoingMessage.objects.filter(to=couple.email).exists()
    assert not AccessAttempt.objects.filter(username=couple.email).exists()
    assert not (Path(settings.MEDIA_ROOT) / picture).exists()
    # Another couple's registry and guests are untouched.
    assert Reservation.objects.filter(pk=their_guests["reservation"].pk).exists()
    assert Registry.objects.filter(pk=theirs.pk).exists()
    # Logged out, and told so; the registry's page is gone.
    assert "_auth_user_id" not in owner_client.session
    messages = [m.message for m in get_messages(response.wsgi_request)]
    assert any(m.startswith("Your account and everything in it are deleted.") for m in messages)
    assert owner_client.get(reverse("registries:public", args=[registry.slug])).status_code == 404


def test_a_shared_registry_stays_with_the_partner(owner_client, couple, other_couple):
    shared = RegistryFactory(slug="shared-one", owners=[couple, other_couple])
    guests = with_guests(shared, "both")

    response = _delete(owner_client)

    assert response.status_code == 302
    assert list(Registry.objects.get(pk=shared.pk).owners.all()) == [other_couple]
    assert Reservation.objects.get(pk=guests["reservation"].pk).guest_name == "both Guest"
    assert not User.objects.filter(pk=couple.pk).exists()
    messages = [m.message for m in get_messages(response.wsgi_request)]
    assert "Your partner keeps the registry you shared (shared-one)." in messages[0]


def test_only_for_a_logged_in_couple_and_only_by_post(owner_client, couple):
    response = Client().post(reverse("accounts:delete"), {"password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert owner_client.get(reverse("accounts:delete")).status_code == 200
    assert User.objects.filter(pk=couple.pk).exists()


def test_guessing_the_password_here_is_limited(owner_client, couple, settings):
    settings.WHISPER_RATE_MAIL = "5/h"
    for _ in range(5):
        _delete(owner_client, "guess")
    response = _delete(owner_client)  # the right one, too late
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:delete")
    assert User.objects.filter(pk=couple.pk).exists()
