"""One form sent twice — a double tap, a reload, the back button — takes one claim and sends one mail."""

from __future__ import annotations

import re
import threading

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from apps.items.models import Item
from apps.reservations.models import Pledge, Reservation
from tests.factories import ItemFactory, RegistryFactory
from tests.gifts import group_gift

_KEY = re.compile(r'name="key" value="([0-9a-f-]{36})"')


def _form(client: Client, url: str, **fields) -> dict:
    """What the guest's browser sends: the rendered form's key, and what they typed."""
    page = client.get(url)
    assert page["Cache-Control"].startswith("max-age=0") and "private" in page["Cache-Control"]
    return {
        "key": _KEY.search(page.content.decode())[1],
        "guest_name": "Pat",
        "guest_email": "pat@example.com",
        **fields,
    }


def _reserve_url(item: Item) -> str:
    return reverse("reservations:reserve", args=[item.registry.slug, item.pk])


@pytest.mark.django_db
def test_each_showing_of_the_form_has_a_key_of_its_own(client, hammock):
    assert _form(client, _reserve_url(hammock))["key"] != _form(Client(), _reserve_url(hammock))["key"]


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["reservation", "pledge"])
def test_sending_the_form_again_lands_on_the_same_claim(client, registry, hammock, kind):
    if kind == "pledge":
        url, fields, model = (
            reverse("reservations:pledge", args=[registry.slug, group_gift(registry).pk]),
            {"amount": "20"},
            Pledge,
        )
    else:
        url, fields, model = _reserve_url(hammock), {"quantity": "1"}, Reservation
    data = _form(client, url, **fields)

    first, again = client.post(url, data), client.post(url, data)

    claim = model.objects.get()
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"] == claim.get_manage_url()
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_key_sent_for_another_gift_is_refused_with_a_message(client, registry, items):
    teapot, hammock = items[0], items[1]
    data = _form(client, _reserve_url(teapot), quantity="1")
    client.post(_reserve_url(teapot), data)

    response = client.post(_reserve_url(hammock), data)

    assert response.status_code == 200
    assert "This form was already sent" in response.content.decode()
    assert Reservation.objects.get().item == teapot
    assert Item.objects.get(pk=hammock.pk).reserved_count == 0


def _at_once(url: str, data: dict, times: int) -> list:
    """POST ``data`` to ``url`` from ``times`` threads (their own connections) released together."""
    barrier = threading.Barrier(times)
    responses: list = [None] * times

    def post(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            responses[index] = Client().post(url, data)
        except Exception as exc:
            responses[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(n,)) for n in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return responses


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("wanted", [1, 5], ids=["the last unit", "plenty left"])
def test_a_double_tap_takes_one_claim(wanted):
    item = ItemFactory(registry=RegistryFactory(), quantity=wanted)
    url = _reserve_url(item)
    data = _form(Client(), url, quantity="1")

    responses = _at_once(url, data, 2)

    reservation = Reservation.objects.get()
    assert [getattr(r, "status_code", r) for r in responses] == [302, 302]
    assert {r["Location"] for r in responses} == {reservation.get_manage_url()}
    assert Item.objects.get(pk=item.pk).reserved_count == 1
    assert [m.to for m in mail.outbox] == [["pat@example.com"]]


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "not-a-key", "\x00"], ids=["none", "mangled", "nul"])
def test_a_form_without_a_good_key_still_reserves(client, hammock, key):
    response = client.post(
        _reserve_url(hammock),
        {"key": key, "quantity": "1", "guest_name": "Pat", "guest_email": "pat@example.com"},
    )

    assert response.status_code == 302
    assert Reservation.objects.get().idempotency_key is None
