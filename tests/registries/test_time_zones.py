"""The couple's clock: the reveal and the last day of guests' links are days in the registry's time zone.

The clock is moved with time-machine; the database is PostgreSQL (the test settings').
"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from apps.registries.models import Registry
from apps.reservations import services as reservations
from tests.factories import ItemFactory, RegistryFactory, ReservationFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
WEDDING = datetime.date(2027, 6, 12)  # a Saturday


def _utc(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


def _couple_registry(couple, zone: str, **fields) -> Registry:
    registry = RegistryFactory(
        slug=f"in-{zone.lower().replace('/', '-').replace('_', '-')}",
        event_date=WEDDING,
        time_zone=zone,
        spoilers=Registry.Spoilers.NONE,
        owners=[couple],
        **fields,
    )
    ReservationFactory(item=ItemFactory(registry=registry, title="Teapot"), guest_name="Robin Guest")
    return registry


def _dashboard(client, registry: Registry) -> str:
    return client.get(reverse("registries:dashboard", args=[registry.slug])).content.decode()


def test_a_los_angeles_wedding_evening_reveals_nothing(owner_client, couple):
    la = _couple_registry(couple, "America/Los_Angeles")
    utc = _couple_registry(couple, "UTC")

    # 8 pm on the wedding day in Los Angeles: already 3 am the next day in UTC.
    with time_machine.travel(_utc(2027, 6, 13, 3, 0), tick=False):
        evening = _dashboard(owner_client, la)
        utc_couple = _dashboard(owner_client, utc)

    assert "Robin Guest" not in evening
    assert "revealed on" in evening
    assert "Robin Guest" in utc_couple  # a couple in UTC is past their midnight

    # Their own midnight comes seven hours later (daylight time, UTC-7).
    with time_machine.travel(_utc(2027, 6, 13, 6, 59), tick=False):
        assert "Robin Guest" not in _dashboard(owner_client, la)
    with time_machine.travel(_utc(2027, 6, 13, 7, 0), tick=False):
        assert "Robin Guest" in _dashboard(owner_client, la)


def test_an_auckland_reveal_comes_at_their_midnight_not_before(owner_client, couple):
    auckland = _couple_registry(couple, "Pacific/Auckland")

    # Midnight after the wedding in Auckland (standard time in June, UTC+12) is noon in UTC.
    with time_machine.travel(_utc(2027, 6, 12, 11, 59), tick=False):
        before = _dashboard(owner_client, auckland)
    with time_machine.travel(_utc(2027, 6, 12, 12, 0), tick=False):
        at_midnight = _dashboard(owner_client, auckland)

    assert "Robin Guest" not in before
    assert "Robin Guest" in at_midnight


def test_the_manage_link_works_through_the_last_local_day_and_not_after(client, couple, settings):
    settings.WHISPER_TOKEN_DAYS_AFTER_EVENT = 30
    la = _couple_registry(couple, "America/Los_Angeles")
    reservation = la.items.get().reservations.get()
    url = reservation.get_manage_url()
    last_day = la.token_valid_until()
    assert last_day == datetime.date(2027, 7, 12)

    # 11:59 pm on the last day in Los Angeles is already the next day in UTC.
    with time_machine.travel(_utc(2027, 7, 13, 6, 59), tick=False):
        late_evening = client.get(url)
        assert reservations.closed(la) is None
    with time_machine.travel(_utc(2027, 7, 13, 7, 0), tick=False):
        after = client.get(url)
        assert reservations.closed(la) is not None

    assert late_evening.status_code == 200
    assert after.status_code == 410
    assert "July 12, 2027" in after.content.decode()


def test_times_shown_to_the_guest_are_on_the_couples_clock(client, couple):
    auckland = _couple_registry(couple, "Pacific/Auckland")
    reservation = auckland.items.get().reservations.get()
    # Reserved at 8 pm UTC on 1 May: already 2 May, 8 am in Auckland.
    reservation.__class__.objects.filter(pk=reservation.pk).update(created_at=_utc(2027, 5, 1, 20, 0))

    with time_machine.travel(_utc(2027, 5, 3, 0, 0), tick=False):
        html = client.get(reservation.get_manage_url()).content.decode()

    assert "May 2, 2027" in html
    assert "May 1, 2027" not in html
