"""Digests and reminders go out at nine in the morning on each couple's clock, once a local day.

Beat runs the jobs every hour; here the clock is moved hour by hour across
daylight-saving changes (Vienna springs forward on 28 March 2027, Los
Angeles on 14 March 2027), as beat would run them.
"""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.core import mail

from apps.notifications import services
from apps.registries.models import Registry
from apps.reservations import services as reservations
from apps.reservations.models import Reservation
from tests.factories import ItemFactory, RegistryFactory, ReservationFactory, UserFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def _utc(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


def _hours(start: datetime.datetime, end: datetime.datetime):
    while start < end:
        yield start
        start += datetime.timedelta(hours=1)


def _registry(zone: str, owner_email: str, **fields) -> Registry:
    return RegistryFactory(
        slug=owner_email.split("@")[0],
        time_zone=zone,
        owners=[UserFactory(email=owner_email)],
        **fields,
    )


def _mails_to(address: str) -> int:
    return sum(1 for message in mail.outbox if message.to == [address])


@pytest.mark.parametrize(
    ("zone", "start", "end", "dst_day"),
    [
        ("Europe/Vienna", _utc(2027, 3, 26), _utc(2027, 3, 30, 22), datetime.date(2027, 3, 28)),
        ("America/Los_Angeles", _utc(2027, 3, 12, 8), _utc(2027, 3, 17, 7), datetime.date(2027, 3, 14)),
    ],
)
def test_the_digest_goes_out_once_a_local_day_at_nine_across_daylight_saving(zone, start, end, dst_day):
    local = zoneinfo.ZoneInfo(zone)
    registry = _registry(zone, "couple@example.com", event_date=datetime.date(2027, 9, 4))
    gift = ItemFactory(registry=registry, title="Teapot", unlimited=True)
    sent_at: list[datetime.datetime] = []

    with time_machine.travel(start, tick=False) as clock:
        for n, hour in enumerate(_hours(start, end)):
            clock.move_to(hour)
            if n % 5 == 0:  # guests reserve around the clock: there is always news
                reservations.reserve(gift.pk, 1, f"Guest {n}", f"guest{n}@example.com")
            before = _mails_to("couple@example.com")
            services.send_digests()
            if _mails_to("couple@example.com") > before:
                sent_at.append(hour.astimezone(local))

    days = [moment.date() for moment in sent_at]
    assert len(days) == len(set(days)) >= 4  # never twice a local day
    assert dst_day in days
    assert all((moment.hour, moment.minute) == (9, 0) for moment in sent_at), sent_at
    # The UTC hour moved with the clocks; the couple's hour did not.
    assert len({moment.astimezone(UTC).hour for moment in sent_at}) == 2


def test_a_catch_up_run_later_in_the_day_still_sends_the_days_digest_once():
    registry = _registry("America/Los_Angeles", "couple@example.com")
    gift = ItemFactory(registry=registry, unlimited=True)
    # Beat was down at nine; it comes back at 1 pm in Los Angeles (20:00 UTC).
    with time_machine.travel(_utc(2027, 3, 15, 19, 30), tick=False):
        reservations.reserve(gift.pk, 1, "Robin", "robin@example.com")
    with time_machine.travel(_utc(2027, 3, 15, 20, 0), tick=False):
        assert services.send_digests() == 1
    with time_machine.travel(_utc(2027, 3, 15, 20, 30), tick=False):
        reservations.reserve(gift.pk, 1, "Dana", "dana@example.com")
    with time_machine.travel(_utc(2027, 3, 15, 21, 0), tick=False):
        assert services.send_digests() == 0  # that one waits for tomorrow's
    with time_machine.travel(_utc(2027, 3, 16, 16, 0), tick=False):  # 9 am PDT
        assert services.send_digests() == 1


def _first_run_that_sends(job, start: datetime.datetime, end: datetime.datetime) -> list[datetime.datetime]:
    runs = []
    with time_machine.travel(start, tick=False) as clock:
        for hour in _hours(start, end):
            clock.move_to(hour)
            if job():
                runs.append(hour)
    return runs


def test_a_guest_reminder_comes_at_nine_on_the_couples_clock_on_the_day_clocks_change(settings):
    settings.NOTIFICATIONS_GUEST_REMINDER_DAYS = 5
    # Los Angeles springs forward on 14 March; the event is five days later.
    registry = _registry("America/Los_Angeles", "couple@example.com", event_date=datetime.date(2027, 3, 19))
    reservation = ReservationFactory(item=ItemFactory(registry=registry), guest_email="robin@example.com")
    Reservation.objects.filter(pk=reservation.pk).update(created_at=_utc(2027, 2, 1))

    runs = _first_run_that_sends(services.send_guest_reminders, _utc(2027, 3, 13), _utc(2027, 3, 16))

    # 9 am daylight time (UTC-7) on 14 March — not 9 am standard time (17:00 UTC), nor the day before.
    assert runs == [_utc(2027, 3, 14, 16, 0)]
    assert _mails_to("robin@example.com") == 1


def test_the_thank_you_reminder_comes_at_nine_in_vienna_the_day_clocks_change(settings):
    settings.NOTIFICATIONS_THANK_YOU_DAYS = 3
    registry = _registry("Europe/Vienna", "couple@example.com", event_date=datetime.date(2027, 3, 25))
    ReservationFactory(item=ItemFactory(registry=registry), guest_name="Robin")

    runs = _first_run_that_sends(services.send_thank_you_reminders, _utc(2027, 3, 27), _utc(2027, 3, 30))

    # 9 am summer time (UTC+2) on 28 March.
    assert runs == [_utc(2027, 3, 28, 7, 0)]
    assert _mails_to("couple@example.com") == 1
