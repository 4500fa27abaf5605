"""Reminders, once each: guests before the event, the couple after it."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from apps.notifications import services
from apps.reservations.models import Reservation
from tests.factories import ItemFactory, RegistryFactory, ReservationFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 10)


def _at(day: datetime.date) -> datetime.datetime:
    """Ten in the morning of ``day`` in UTC, these registries' zone: past the local sending hour."""
    return datetime.datetime.combine(day, datetime.time(10), tzinfo=datetime.UTC)


def _days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def _reservation(event_in_days: int, **fields) -> Reservation:
    registry = RegistryFactory(
        event_date=_days(event_in_days), owners=[UserFactory(email="couple@example.com")]
    )
    reservation = ReservationFactory(
        item=ItemFactory(registry=registry, title="Teapot", quantity=3), guest_name="Robin", **fields
    )
    Reservation.objects.filter(pk=reservation.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=400)
    )
    return reservation


def test_a_guest_who_has_not_bought_is_reminded_once_a_few_days_before(settings):
    settings.NOTIFICATIONS_GUEST_REMINDER_DAYS = 5
    reservation = _reservation(4, guest_email="robin@example.com")

    assert services.send_guest_reminders(_at(TODAY)) == 1
    assert services.send_guest_reminders(_at(_days(1))) == 0

    [message] = mail.outbox
    assert message.to == ["robin@example.com"]
    assert "in 4 days" in message.body
    token = re.search(r"/reservations/([^/\s]+)/", message.body).group(1)
    assert Reservation.pk_from_token(token) == reservation.pk  # their manage link
    assert "List-Unsubscribe" in message.extra_headers


@pytest.mark.parametrize(
    ("event_in_days", "fields"),
    [
        (6, {}),  # too early
        (-1, {}),  # the event is over
        (3, {"bought_at": timezone.now()}),
        (3, {"cancelled_at": timezone.now()}),
    ],
)
def test_nobody_else_is_reminded(settings, event_in_days, fields):
    settings.NOTIFICATIONS_GUEST_REMINDER_DAYS = 5
    _reservation(event_in_days, **fields)

    assert services.send_guest_reminders(_at(TODAY)) == 0
    assert mail.outbox == []


def test_a_reservation_made_today_needs_no_reminder(settings):
    settings.NOTIFICATIONS_GUEST_REMINDER_DAYS = 5
    reservation = _reservation(2)
    Reservation.objects.filter(pk=reservation.pk).update(created_at=_at(TODAY) - datetime.timedelta(hours=1))

    assert services.send_guest_reminders(_at(TODAY)) == 0
    with time_machine.travel(_at(_days(1))):
        assert services.send_guest_reminders() == 1  # the next morning it is


def test_the_couple_is_reminded_to_say_thank_you_once_after_the_event(settings):
    settings.NOTIFICATIONS_THANK_YOU_DAYS = 3
    reservation = _reservation(-3)
    ReservationFactory(item=reservation.item, thanked=True)
    ReservationFactory(item=reservation.item, guest_name="Dana")

    assert services.send_thank_you_reminders(_at(TODAY)) == 1
    assert services.send_thank_you_reminders(_at(_days(1))) == 0

    [message] = mail.outbox
    assert message.to == ["couple@example.com"]
    assert "2 gifts on your registry are still waiting for a thank-you" in message.body


@pytest.mark.parametrize("event_in_days", [-2, -40])
def test_not_too_early_and_not_for_events_long_past(settings, event_in_days):
    settings.NOTIFICATIONS_THANK_YOU_DAYS = 3
    _reservation(event_in_days)

    assert services.send_thank_you_reminders(_at(TODAY)) == 0


def test_no_reminder_when_everyone_is_thanked(settings):
    settings.NOTIFICATIONS_THANK_YOU_DAYS = 3
    _reservation(-5, thanked=True)

    assert services.send_thank_you_reminders(_at(TODAY)) == 0
    assert mail.outbox == []
