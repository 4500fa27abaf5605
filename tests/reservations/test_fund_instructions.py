"""Issue 15: with the couple's own instructions, a guest gives to a fund, reads them only after
pledging (page and mail), and the couple marks the contribution received."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from apps.registries.models import Registry
from apps.reservations.models import Pledge
from tests.factories import ItemFactory

pytestmark = pytest.mark.django_db

BANK = "IBAN PT50 0002 0123 1234 5678 9015 4"


@pytest.fixture
def fund(registry):
    Registry.objects.filter(pk=registry.pk).update(pledge_instructions=BANK)
    return ItemFactory(
        registry=registry,
        title="First home",
        description="A garden!",
        kind="fund",
        group_gift=True,
        price=None,
    )


def test_the_public_page_shows_the_fund_but_never_the_instructions(fund, registry):
    html = Client().get(registry.get_absolute_url()).content.decode()

    assert "First home" in html and "A garden!" in html
    assert reverse("reservations:pledge", args=[registry.slug, fund.pk]) in html
    assert ">Give<" in html
    assert "IBAN" not in html
    assert (
        "IBAN"
        not in Client().get(reverse("reservations:pledge", args=[registry.slug, fund.pk])).content.decode()
    )


def test_a_guest_gives_and_then_reads_how_to_send_it(fund, registry):
    client = Client()
    page = client.get(reverse("reservations:pledge", args=[registry.slug, fund.pk])).content.decode()
    assert "any amount" in page or "Amount" in page

    response = client.post(
        reverse("reservations:pledge", args=[registry.slug, fund.pk]),
        {
            "amount": "1234.56",
            "guest_name": "Robin",
            "guest_email": "robin@example.com",
            "message": "Welcome home",
        },
        follow=True,
    )

    html = response.content.decode()
    assert BANK in html
    assert "Promised" in html
    assert BANK in mail.outbox[-1].body
    pledge = Pledge.objects.get()
    assert (pledge.status, pledge.invoice) == ("promised", None)
    fund.refresh_from_db()
    assert fund.pledged_total == Decimal("1234.56")  # no target: no limit


def test_the_couple_marks_it_received(owner_client, fund, registry):
    Client().post(
        reverse("reservations:pledge", args=[registry.slug, fund.pk]),
        {"amount": "50", "guest_name": "Robin", "guest_email": "robin@example.com"},
    )
    pledge = Pledge.objects.get()
    page = owner_client.get(reverse("reservations:contributions", args=[registry.slug])).content.decode()
    assert "Robin" in page and "Mark received" in page

    response = owner_client.post(
        reverse("reservations:pledge_received", args=[registry.slug, pledge.pk]), follow=True
    )

    pledge.refresh_from_db()
    assert pledge.status == "received" and pledge.settled_at is not None
    assert "Marked received" in response.content.decode()
    # Received: the guest can no longer cancel it.
    guest_page = Client().get(pledge.get_manage_url()).content.decode()
    assert "Received — thank you!" in guest_page and "Cancel my pledge" not in guest_page


def test_with_counts_only_the_couple_sees_the_total_but_no_names(owner_client, fund, registry):
    Client().post(
        reverse("reservations:pledge", args=[registry.slug, fund.pk]),
        {"amount": "50", "guest_name": "Robin", "guest_email": "robin@example.com"},
    )
    Registry.objects.filter(pk=registry.pk).update(spoilers="counts")

    page = owner_client.get(reverse("reservations:contributions", args=[registry.slug])).content.decode()

    assert "50.00" in page and "1 contribution" in page
    assert "Robin" not in page
