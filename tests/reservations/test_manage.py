"""reservations:manage — the guest's signed link: view, change, mark bought, cancel."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail, signing
from django.utils import timezone
from django.utils.html import escape

from apps.registries.models import Registry
from apps.reservations.models import Reservation
from tests.factories import ReservationFactory


def _page(client, reservation) -> str:
    response = client.get(reservation.get_manage_url())
    assert response.status_code == 200
    return response.content.decode()


def _act(client, reservation, action: str, **data):
    return client.post(reservation.get_manage_url(), {"action": action, **data})


def test_shows_the_reservation(client, reservation):
    response = client.get(reservation.get_manage_url())
    assert response.status_code == 200
    content = response.content.decode()
    assert "Hammock" in content
    assert "<dt>Quantity</dt><dd>1</dd>" in content
    assert "Congratulations!" in content
    assert "Reserved</span>" in content
    assert 'name="cancel" value="1"' in content  # asks first
    assert 'value="bought"' in content
    assert '<meta name="robots" content="noindex">' in content
    assert response["X-Robots-Tag"] == "noindex"
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    "make_token",
    [
        lambda r: r.token[:-2] + ("AA" if not r.token.endswith("AA") else "BB"),  # tampered signature
        lambda r: signing.Signer(salt="another.salt").sign_object(r.pk),  # signed for something else
        lambda r: signing.Signer(salt=Reservation.TOKEN_SALT).sign_object(str(r.pk)),  # not an id
        lambda r: "not-a-token",
    ],
)
def test_a_bad_token_is_not_found(client, reservation, make_token):
    token = make_token(reservation)
    assert client.get(f"/reservations/{token}/").status_code == 404
    assert client.post(f"/reservations/{token}/", {"action": "cancel"}).status_code == 404
    reservation.refresh_from_db()
    assert reservation.is_active


def test_a_deleted_reservation_is_not_found(client, reservation):
    url = reservation.get_manage_url()
    Reservation.objects.filter(pk=reservation.pk).delete()
    assert client.get(url).status_code == 404


def test_an_expired_link_says_so_with_410(client, registry, reservation):
    Registry.objects.filter(pk=registry.pk).update(
        event_date=timezone.localdate() - datetime.timedelta(days=91)
    )
    response = client.get(reservation.get_manage_url())
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()

    response = _act(client, reservation, "cancel")
    assert response.status_code == 410
    reservation.refresh_from_db()
    assert reservation.is_active


def test_the_link_still_works_on_its_last_day(client, registry, reservation):
    Registry.objects.filter(pk=registry.pk).update(
        event_date=timezone.localdate() - datetime.timedelta(days=90)
    )
    assert client.get(reservation.get_manage_url()).status_code == 200


def test_change_quantity(client, reservation, hammock, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _act(client, reservation, "quantity", quantity=2)
    assert response.status_code == 302
    assert response["Location"] == reservation.get_manage_url()
    reservation.refresh_from_db()
    hammock.refresh_from_db()
    assert (reservation.quantity, hammock.reserved_count) == (2, 2)
    assert "Done — your reservation is now for 2." in _page(client, reservation)
    assert [m.subject for m in mail.outbox] == ["Your reservation of “Hammock” was updated"]


@pytest.mark.parametrize(
    ("quantity", "error"), [(0, "Please choose at least 1."), (3, "Sorry — you can reserve at most 2.")]
)
def test_change_quantity_refuses_zero_and_more_than_is_left(
    client, reservation, hammock, quantity, error, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _act(client, reservation, "quantity", quantity=quantity)
    assert response.status_code == 200
    assert escape(error) in response.content.decode()
    reservation.refresh_from_db()
    hammock.refresh_from_db()
    assert (reservation.quantity, hammock.reserved_count) == (1, 1)
    assert mail.outbox == []


def test_mark_bought_then_not_bought(client, reservation, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _act(client, reservation, "bought")
    assert response.status_code == 302
    reservation.refresh_from_db()
    assert reservation.bought_at is not None
    content = _page(client, reservation)
    assert "Marked as bought — thank you!" in content
    assert "Bought</span>" in content
    assert 'value="not_bought"' in content

    with django_capture_on_commit_callbacks(execute=True):
        _act(client, reservation, "not_bought")
    reservation.refresh_from_db()
    assert reservation.bought_at is None
    assert len(mail.outbox) == 2


def test_cancel_and_cancel_again(client, reservation, hammock, django_capture_on_commit_callbacks):
    ReservationFactory(item=hammock)
    with django_capture_on_commit_callbacks(execute=True):
        response = _act(client, reservation, "cancel")
    assert response.status_code == 302
    reservation.refresh_from_db()
    hammock.refresh_from_db()
    assert reservation.cancelled_at is not None
    assert hammock.reserved_count == 1

    content = _page(client, reservation)
    assert "Your reservation is cancelled." in content
    assert "You cancelled this reservation on" in content
    assert f'href="{hammock.registry.get_absolute_url()}"' in content
    assert 'value="cancel"' not in content
    assert 'name="quantity"' not in content

    with django_capture_on_commit_callbacks(execute=True):
        _act(client, reservation, "cancel")
    hammock.refresh_from_db()
    assert hammock.reserved_count == 1  # given back once only
    assert "This reservation was already cancelled." in _page(client, reservation)
    assert [m.subject for m in mail.outbox] == ["You cancelled your reservation of “Hammock”"]


def test_a_cancelled_reservation_cannot_change(client, reservation, hammock):
    _act(client, reservation, "cancel")
    for action, data in (("quantity", {"quantity": 2}), ("bought", {})):
        response = _act(client, reservation, action, **data)
        assert response.status_code == 302
        assert "can no longer be changed" in _page(client, reservation)
    reservation.refresh_from_db()
    hammock.refresh_from_db()
    assert (reservation.quantity, reservation.bought_at, hammock.reserved_count) == (1, None, 0)


@pytest.mark.parametrize("data", [{}, {"action": "explode"}])
def test_an_unknown_action_changes_nothing(client, reservation, data):
    response = client.post(reservation.get_manage_url(), data)
    assert response.status_code == 302
    assert escape("Sorry, we didn't understand that request.") in _page(client, reservation)
    reservation.refresh_from_db()
    assert reservation.is_active and not reservation.bought


def test_guest_text_is_escaped(client, hammock):
    reservation = ReservationFactory(
        item=hammock, guest_name="<b>Pat</b>", message='<script>alert("hi")</script>\nSee you!'
    )
    content = _page(client, reservation)
    assert "<script>alert" not in content
    assert "<b>Pat</b>" not in content
    assert "&lt;script&gt;alert(&quot;hi&quot;)&lt;/script&gt;<br>See you!" in content
    assert "&lt;b&gt;Pat&lt;/b&gt;" in content
