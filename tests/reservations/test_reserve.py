"""reservations:reserve — a guest reserves a gift, without an account."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.html import escape

from apps.registries.models import Registry
from apps.reservations import services
from apps.reservations.models import Reservation
from tests.factories import ItemFactory, RegistryFactory, ReservationFactory
from tests.reservations.conftest import link_paths


def _url(item) -> str:
    return reverse("reservations:reserve", args=[item.registry.slug, item.pk])


def _post(client, item, **overrides):
    data = {"quantity": 1, "guest_name": "Pat", "guest_email": "pat@example.com", "message": ""}
    data.update(overrides)
    return client.post(_url(item), data)


def test_get_shows_the_form_for_the_item(client, hammock):
    response = client.get(_url(hammock))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Reserve “Hammock”" in content
    assert "2 of 2 left" in content
    assert 'name="quantity"' in content
    assert 'max="2"' in content
    assert 'name="guest_email"' in content
    assert '<meta name="robots" content="noindex">' in content


def test_reserve_happy_path(client, hammock, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, hammock, quantity=2, message="Have fun!")

    reservation = Reservation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reservation.get_manage_url()
    assert (reservation.item, reservation.quantity, reservation.guest_name) == (hammock, 2, "Pat")
    assert (reservation.guest_email, reservation.message) == ("pat@example.com", "Have fun!")
    hammock.refresh_from_db()
    assert hammock.reserved_count == 2

    # The link in the mail opens the reservation.
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["pat@example.com"]
    link = next(path for path in link_paths(mail.outbox[0]) if path.startswith("/reservations/"))
    page = client.get(link)
    assert page.status_code == 200
    assert "Hammock" in page.content.decode()
    assert escape("Reserved! We've emailed you a link to manage it.") in page.content.decode()


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"quantity": 0}, "Please choose at least 1."),
        ({"quantity": 3}, "Sorry — you can reserve at most 2."),
        ({"quantity": "lots"}, "Enter a whole number."),
        ({"guest_email": "not-an-email"}, "Enter a valid email address."),
        ({"guest_name": ""}, "This field is required."),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    client, hammock, overrides, error, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, hammock, **overrides)
    assert response.status_code == 200
    assert escape(error) in response.content.decode()
    assert not Reservation.objects.exists()
    hammock.refresh_from_db()
    assert hammock.reserved_count == 0
    assert mail.outbox == []


def test_unlimited_items_take_up_to_twenty(client, items):
    gift_card = items[2]
    content = client.get(_url(gift_card)).content.decode()
    assert "Any number welcome" in content
    assert 'max="20"' in content
    response = _post(client, gift_card, quantity=21)
    assert "Sorry — you can reserve at most 20." in response.content.decode()
    assert not Reservation.objects.exists()
    assert _post(client, gift_card, quantity=20).status_code == 302
    gift_card.refresh_from_db()
    assert gift_card.reserved_count == 20


def test_someone_quicker_gets_a_clear_message(client, hammock, monkeypatch):
    """The form allowed 2, but another guest reserved one meanwhile: the service refuses."""
    real_reserve = services.UNITS.take

    def quicker_guest_first(*args, **kwargs):
        ReservationFactory(item=hammock)
        return real_reserve(*args, **kwargs)

    monkeypatch.setattr(services.UNITS, "take", quicker_guest_first)
    response = _post(client, hammock, quantity=2)

    assert response.status_code == 200
    content = response.content.decode()
    assert "Sorry — only 1 left." in content
    assert 'max="1"' in content
    assert Reservation.objects.count() == 1  # only the quicker guest's
    hammock.refresh_from_db()
    assert hammock.reserved_count == 1


def test_an_item_gone_meanwhile_sends_back_to_the_registry(client, items, monkeypatch):
    teapot = items[0]
    real_reserve = services.UNITS.take

    def quicker_guest_first(*args, **kwargs):
        ReservationFactory(item=teapot)
        return real_reserve(*args, **kwargs)

    monkeypatch.setattr(services.UNITS, "take", quicker_guest_first)
    response = _post(client, teapot, guest_name="Pat")
    assert response.status_code == 302
    assert response["Location"] == teapot.registry.get_absolute_url()
    page = client.get(response["Location"])
    assert "Sorry — this gift is no longer available." in page.content.decode()
    assert not Reservation.objects.filter(guest_email="pat@example.com").exists()
    assert Reservation.objects.count() == 1


def test_a_guest_who_loses_the_last_one_keeps_what_they_typed(client, items, monkeypatch):
    """Rough edge 11: the name, email and message come back on the next gift's form, once."""
    teapot, hammock, _ = items
    real_reserve = services.UNITS.take

    def quicker_guest_first(*args, **kwargs):
        ReservationFactory(item=teapot)
        return real_reserve(*args, **kwargs)

    monkeypatch.setattr(services.UNITS, "take", quicker_guest_first)
    lost = _post(client, teapot, guest_name="Pat Quill", message="For your first brew <3")
    page = client.get(lost["Location"]).content.decode()
    assert "We kept your name and message for the gift you choose instead." in page

    form = client.get(_url(hammock)).content.decode()
    assert 'value="Pat Quill"' in form
    assert 'value="pat@example.com"' in form
    assert escape("For your first brew <3") in form
    again = client.get(_url(hammock)).content.decode()
    assert "Pat Quill" not in again  # kept for one form, not forever


def test_a_fully_reserved_item_cannot_be_reserved(client, items):
    teapot = items[0]
    ReservationFactory(item=teapot)
    for response in (client.get(_url(teapot)), _post(client, teapot)):
        assert response.status_code == 302
        assert response["Location"] == teapot.registry.get_absolute_url()
    assert Reservation.objects.count() == 1
    page = client.get(teapot.registry.get_absolute_url())
    assert "has already been reserved — thank you!" in page.content.decode()


def test_hidden_items_are_not_found(client, registry):
    hidden = ItemFactory(registry=registry, hidden=True)
    assert client.get(_url(hidden)).status_code == 404
    assert _post(client, hidden).status_code == 404
    assert not Reservation.objects.exists()


def test_an_item_of_another_registry_is_not_found(client, registry, items):
    foreign = ItemFactory(registry=RegistryFactory(slug="jo-and-kim"))
    url = reverse("reservations:reserve", args=[registry.slug, foreign.pk])
    assert client.get(url).status_code == 404
    assert (
        client.post(url, {"quantity": 1, "guest_name": "P", "guest_email": "p@example.com"}).status_code
        == 404
    )
    assert not Reservation.objects.exists()


def test_unknown_registry_is_not_found(client, hammock):
    url = reverse("reservations:reserve", args=["no-such-couple", hammock.pk])
    assert client.get(url).status_code == 404


def test_protected_registries_ask_for_the_passphrase_first(client, registry, hammock):
    registry.privacy = Registry.Privacy.PROTECTED
    registry.set_passphrase("lisbon 2026")
    registry.save()

    for response in (client.get(_url(hammock)), _post(client, hammock)):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("registries:passphrase", args=[registry.slug]))
    assert not Reservation.objects.exists()

    response = client.post(response["Location"], {"passphrase": "lisbon 2026"})
    assert response["Location"] == _url(hammock)
    assert _post(client, hammock).status_code == 302
    assert Reservation.objects.count() == 1


def test_guest_input_is_escaped_on_the_form(client, hammock):
    response = _post(client, hammock, guest_name="<script>alert(1)</script>", guest_email="bad")
    content = response.content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


def test_a_reservation_takes_a_handful_of_queries(client, hammock, settings, django_assert_max_num_queries):
    """The gift and its registry read once, the guest's address checked, the rows written: no more.

    Eight queries of its own (there were eighteen), plus here the test's savepoint
    around the transaction and the read-only switch (memcached holds it in production).
    """
    settings.OUTBOX_DELIVER_ON_COMMIT = True  # the mail is sent by the worker, after the request
    with django_assert_max_num_queries(8 + 3):
        response = _post(client, hammock, key="6f9c2a3e-8a61-4a55-9d7e-2a6c1b0e5f10")

    assert response.status_code == 302
    reservation = Reservation.objects.get()
    assert (reservation.item_title, reservation.registry_id) == (hammock.title, hammock.registry_id)
    assert response["Location"] == reservation.get_manage_url()
