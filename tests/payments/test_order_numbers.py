"""Order numbers a couple can read out: "WSP-7K3M-Q9TD", unique, hard to guess (issue 17 #9)."""

from __future__ import annotations

import re
import secrets

import pytest
from django.urls import reverse

from apps.payments import services
from apps.payments.models import INVOICE_ALPHABET, Order

pytestmark = pytest.mark.django_db

SHORT = re.compile(rf"^WSP-[{INVOICE_ALPHABET}]{{4}}-[{INVOICE_ALPHABET}]{{4}}$")


def test_a_new_order_gets_a_short_number_shown_to_the_couple(owner_client, registry, premium, couple):
    order = services.open_order(registry, premium, couple)

    assert SHORT.match(order.invoice), order.invoice
    assert not set(order.invoice[4:]) & set("ILOU")  # nothing to misread
    orders_page = owner_client.get(reverse("payments:orders", args=[registry.slug]))
    assert order.invoice in orders_page.content.decode()


def test_numbers_do_not_repeat(registry, premium, couple):
    invoices = {
        Order.objects.create(registry=registry, plan=premium, amount=39, currency="USD").invoice
        for _ in range(300)
    }
    assert len(invoices) == 300
    assert all(SHORT.match(invoice) for invoice in invoices)


def test_an_order_made_before_keeps_its_long_number(order):
    long_one = "WSP-" + "0123456789abcdef" * 2
    Order.objects.filter(pk=order.pk).update(invoice=long_one)
    order.refresh_from_db()
    order.save()
    assert Order.objects.get(pk=order.pk).invoice == long_one


def test_a_number_already_taken_is_drawn_again(registry, premium, couple, monkeypatch):
    taken = Order.objects.create(
        registry=registry, plan=premium, amount=39, currency="USD", invoice="WSP-AAAA-AAAA"
    )
    Order.objects.filter(pk=taken.pk).update(status=Order.Status.PAID)
    # The random draw (the standard library's) first repeats the taken number, then differs.
    draws = iter("A" * 8 + "B" * 8)
    monkeypatch.setattr(secrets, "choice", lambda alphabet: next(draws))

    order = services.open_order(registry, premium, couple)

    assert order.invoice == "WSP-BBBB-BBBB"
