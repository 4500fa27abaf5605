"""reservations:export — the CSV of everything the dashboard holds, when the spoiler setting allows:
reservations, contributions to funds and group gifts (with their status), gifts off the list,
prices and currencies."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.registries.models import Registry
from apps.reservations import funds
from apps.reservations.models import OffRegistryGift
from apps.reservations.services import AMOUNTS
from tests.factories import ItemFactory, RegistryFactory, ReservationFactory

pytestmark = pytest.mark.django_db

HEADER = [
    "Kind",
    "Item",
    "Price or target",
    "Currency",
    "Guest name",
    "Email",
    "Quantity",
    "Amount",
    "Status",
    "Message",
    "Address for a thank-you card",
    "Given at",
    "Bought",
    "Thanked",
]


def _url(registry) -> str:
    return reverse("reservations:export", args=[registry.slug])


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_one_row_per_active_reservation(owner_client, premium_registry, items, other_couple):
    registry = premium_registry
    teapot, hammock, _ = items
    ReservationFactory(
        item=teapot,
        guest_name="Robin",
        guest_email="robin@example.com",
        message="Brew well,\nlove R.",
        bought_at=timezone.now(),
        thanked=True,
    )
    ReservationFactory(
        item=hammock, guest_name="Charlie", guest_email="c@example.com", quantity=2, message=""
    )
    ReservationFactory(item=hammock, guest_name="Ghost", cancelled_at=timezone.now())
    elsewhere = RegistryFactory(slug="elsewhere", owners=[other_couple])
    ReservationFactory(item=ItemFactory(registry=elsewhere), guest_name="Stranger")

    response = owner_client.get(_url(registry))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="alex-and-sam-gifts.csv"'
    rows = _rows(response)
    assert rows[0] == HEADER
    assert len(rows) == 3
    robin, charlie = rows[1], rows[2]
    assert robin[0:2] == ["Reservation", "Teapot"]
    assert robin[3] == teapot.currency
    assert robin[4:7] == ["Robin", "robin@example.com", "1"]
    assert robin[9] == "Brew well,\nlove R."
    assert robin[10] == ""  # no address for a thank-you card given
    assert datetime.datetime.strptime(robin[11], "%Y-%m-%d %H:%M")
    assert robin[12:] == ["yes", "yes"]
    assert charlie[1] == "Hammock" and charlie[4:7] == ["Charlie", "c@example.com", "2"]
    assert charlie[12:] == ["no", "no"]


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@"])
def test_cells_that_would_run_as_formulas_are_defused(owner_client, premium_registry, prefix):
    registry = premium_registry
    item = ItemFactory(registry=registry, title=f"{prefix}SUM(1+1)")
    ReservationFactory(item=item, guest_name=f"{prefix}cmd|' /C calc'!A0", message=f'{prefix}HYPERLINK("x")')

    row = _rows(owner_client.get(_url(registry)))[1]

    assert row[1] == f"'{prefix}SUM(1+1)"
    assert row[4] == f"'{prefix}cmd|' /C calc'!A0"
    assert row[9] == f'\'{prefix}HYPERLINK("x")'


@pytest.mark.parametrize("spoilers", ["counts", "none"])
def test_no_export_while_the_spoiler_setting_hides_names(owner_client, premium_registry, items, spoilers):
    registry = premium_registry
    Registry.objects.filter(pk=registry.pk).update(spoilers=spoilers)
    ReservationFactory(item=items[0], guest_name="Robin")

    response = owner_client.get(_url(registry), follow=True)

    assert response.redirect_chain == [(reverse("registries:dashboard", args=[registry.slug]), 302)]
    html = response.content.decode()
    assert "The export lists who reserved what" in html
    assert "Robin" not in html


def test_the_export_opens_after_the_event(owner_client, premium_registry, items):
    registry = premium_registry
    Registry.objects.filter(pk=registry.pk).update(
        spoilers="none", event_date=timezone.localdate() - datetime.timedelta(days=3)
    )
    ReservationFactory(item=items[0], guest_name="Robin")

    response = owner_client.get(_url(registry))

    assert response.status_code == 200
    assert _rows(response)[1][4] == "Robin"


def test_free_registries_are_offered_the_upgrade_instead(owner_client, registry, items):
    ReservationFactory(item=items[0], guest_name="Robin")

    response = owner_client.get(_url(registry), follow=True)

    dashboard = reverse("registries:dashboard", args=[registry.slug])
    assert response.redirect_chain == [(f"{dashboard}#plan", 302)]
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "CSV export comes with an upgrade of the registry." in html
    assert reverse("payments:upgrade", args=[registry.slug]) in html


def test_reservation_times_are_on_the_couples_clock(owner_client, premium_registry, items):
    Registry.objects.filter(pk=premium_registry.pk).update(time_zone="America/Los_Angeles")
    reservation = ReservationFactory(item=items[0], guest_name="Robin")
    # 3:30 am UTC on 2 May: still the evening of 1 May in Los Angeles (UTC-7).
    reservation.__class__.objects.filter(pk=reservation.pk).update(
        created_at=datetime.datetime(2027, 5, 2, 3, 30, tzinfo=datetime.UTC)
    )

    rows = _rows(owner_client.get(_url(premium_registry)))

    assert rows[1][11] == "2027-05-01 20:30"  # Given at


def test_contributions_and_gifts_off_the_list_are_in_it_with_status_and_currency(
    owner_client, premium_registry
):
    """Everything the dashboard holds: a fund's contributions with their status, a gift off the list."""
    registry = premium_registry
    honeymoon = ItemFactory(
        registry=registry, title="Honeymoon", kind="fund", group_gift=True, price=None, currency="EUR"
    )
    promised = AMOUNTS.take(honeymoon.pk, Decimal("50.00"), "Robin", "robin@example.com", "Bon voyage")
    funds.mark_received(promised.pk)
    AMOUNTS.take(honeymoon.pk, Decimal("20.00"), "Charlie", "c@example.com")
    OffRegistryGift.objects.create(
        registry=registry, guest_name="Aunt Jo", description="=A quilt", amount=Decimal("80"), currency="GBP"
    )

    rows = _rows(owner_client.get(_url(registry)))

    assert [r[0] for r in rows[1:]] == ["Fund contribution", "Fund contribution", "Gift off the list"]
    by_name = {r[4]: r for r in rows[1:]}
    assert by_name["Robin"][1:4] == ["Honeymoon", "", "EUR"]
    assert (by_name["Robin"][7], by_name["Robin"][8], by_name["Robin"][9]) == (
        "50.00",
        "Received",
        "Bon voyage",
    )
    assert (by_name["Charlie"][7], by_name["Charlie"][8]) == ("20.00", "Promised")
    assert by_name["Aunt Jo"][1] == "'=A quilt"  # csv_safe
    assert (by_name["Aunt Jo"][3], by_name["Aunt Jo"][7]) == ("GBP", "80.00")
