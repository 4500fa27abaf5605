"""The dashboard's thank-you checklist beyond reservations: pledges and gifts bought off the list."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.registries.models import Registry
from apps.reservations.models import OffRegistryGift, Pledge
from apps.reservations.services import AMOUNTS
from tests.factories import ItemFactory, ReservationFactory
from tests.gifts import group_gift

pytestmark = pytest.mark.django_db


def _url(registry) -> str:
    return reverse("registries:dashboard", args=[registry.slug])


def _set_spoilers(registry, spoilers: str) -> None:
    Registry.objects.filter(pk=registry.pk).update(
        spoilers=spoilers, event_date=timezone.localdate() + datetime.timedelta(days=60)
    )


@pytest.fixture
def given(registry):
    """A group gift with Robin's pledge, and Jo's gift bought elsewhere."""
    bike = group_gift(registry, price="300.00", title="Tandem bike", currency="EUR")
    pledge = AMOUNTS.take(bike.pk, Decimal("120"), "Robin Guest", "robin@example.com", message="Ride on!")
    gift = OffRegistryGift.objects.create(
        registry=registry,
        guest_name="Aunt Jo",
        description="A picnic basket",
        amount=Decimal("45"),
        currency="GBP",
        message="Sunny days",
    )
    return bike, pledge, gift


def test_all_shows_who_pledged_and_who_gave_what(owner_client, registry, given):
    _bike, pledge, gift = given

    html = owner_client.get(_url(registry)).content.decode()

    assert 'id="pledges"' in html
    assert "Robin Guest" in html
    assert "€120.00" in html
    assert "Ride on!" in html
    # The group gift's card says the currency of what was given (rough edge 10).
    assert "€120.00 given · €180.00 to go" in html
    assert "Aunt Jo" in html
    assert "A picnic basket" in html
    assert "£45.00" in html
    assert reverse("reservations:pledge_thanked", args=[registry.slug, pledge.pk]) in html
    assert reverse("reservations:gift_thanked", args=[registry.slug, gift.pk]) in html


def test_counts_shows_totals_but_no_names(owner_client, registry, given):
    _set_spoilers(registry, "counts")

    html = owner_client.get(_url(registry)).content.decode()

    assert "€120.00 given" in html
    assert "1 guest told you about a gift that wasn" in html
    for secret in ("Robin Guest", "Ride on!", "Aunt Jo", "A picnic basket"):
        assert secret not in html


def test_none_shows_nothing_of_what_was_given(owner_client, registry, given):
    _set_spoilers(registry, "none")

    html = owner_client.get(_url(registry)).content.decode()

    for secret in ("Robin Guest", "Aunt Jo", "pledged", "to go", "gift that wasn"):
        assert secret not in html


def test_ticking_a_pledge_and_a_gift_off_the_list(owner_client, registry, given):
    _bike, pledge, gift = given

    response = owner_client.post(reverse("reservations:pledge_thanked", args=[registry.slug, pledge.pk]))
    assert response["Location"] == _url(registry) + "#pledges"
    owner_client.post(reverse("reservations:gift_thanked", args=[registry.slug, gift.pk]))

    assert Pledge.objects.get(pk=pledge.pk).thanked
    assert OffRegistryGift.objects.get(pk=gift.pk).thanked
    html = owner_client.get(_url(registry)).content.decode()
    assert html.count("✓ Thanked") == 2

    owner_client.post(reverse("reservations:gift_thanked", args=[registry.slug, gift.pk]))
    assert not OffRegistryGift.objects.get(pk=gift.pk).thanked


def test_the_spoiler_setting_keeps_the_ticks_closed(owner_client, registry, given):
    _bike, pledge, _gift = given
    _set_spoilers(registry, "counts")

    response = owner_client.post(
        reverse("reservations:pledge_thanked", args=[registry.slug, pledge.pk]), follow=True
    )

    assert "keeps who gave what hidden" in response.content.decode()
    assert not Pledge.objects.get(pk=pledge.pk).thanked


def test_other_couples_get_a_404(other_client, registry, given):
    _bike, pledge, gift = given

    for url in (
        reverse("reservations:pledge_thanked", args=[registry.slug, pledge.pk]),
        reverse("reservations:gift_thanked", args=[registry.slug, gift.pk]),
    ):
        assert other_client.post(url).status_code == 404
    assert not Pledge.objects.get(pk=pledge.pk).thanked


def test_html_typed_by_guests_comes_back_escaped(owner_client, registry):
    OffRegistryGift.objects.create(
        registry=registry, guest_name="<b>Jo</b>", description="<script>x()</script>", message="<i>hi</i>"
    )

    html = owner_client.get(_url(registry)).content.decode()

    assert "&lt;b&gt;Jo&lt;/b&gt;" in html
    assert "<b>Jo</b>" not in html
    assert "<script>x()</script>" not in html
    assert "<i>hi</i>" not in html


def _add(registry, n: int) -> None:
    for item in ItemFactory.create_batch(n, registry=registry, quantity=3):
        ReservationFactory(item=item, thanked=True)
    for n_gift in range(n):
        gift = group_gift(registry, price="100.00")
        AMOUNTS.take(gift.pk, Decimal("10"), f"Guest {n_gift}", f"g{n_gift}@example.com")
        OffRegistryGift.objects.create(registry=registry, guest_name=f"Guest {n_gift}", description="A vase")


@pytest.mark.parametrize("spoilers", ["all", "counts", "none"])
def test_the_number_of_queries_does_not_grow_with_pledges_and_gifts(
    owner_client, registry, spoilers, settings
):
    # A cache of this test's own: the shared memcached may be flushed by other runs.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"checklist-{spoilers}",
        }
    }
    _set_spoilers(registry, spoilers)
    _add(registry, 3)
    owner_client.get(_url(registry))  # warm the session and flag caches like any later request
    counts = []
    for more in (0, 27):
        _add(registry, more)
        with CaptureQueriesContext(connection) as queries:
            response = owner_client.get(_url(registry))
        assert response.status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1], counts
    if spoilers == "all":
        # The newest 25 on the dashboard, every one behind "show all".
        assert response.content.decode().count('id="pledge-') == 25
        assert "Show all 30 contributions" in response.content.decode()
        every = owner_client.get(_url(registry), {"claims": "all"}).content.decode()
        assert every.count('id="pledge-') == 30
