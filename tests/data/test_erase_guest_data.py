"""apps.privacy: guests' names, addresses and messages go a while after the event;
what was reserved, and so every count, stays.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import ModelEntry

from apps.items.models import Item
from apps.notifications.models import OutgoingMessage
from apps.privacy import services
from apps.privacy.tasks import erase_guest_data
from apps.reservations.models import OffRegistryGift, Pledge, Reservation
from tests.data.conftest import days_ago, with_guests
from tests.factories import RegistryFactory
from whisper.celery import app as celery_app

pytestmark = pytest.mark.django_db


def _guest_details(obj) -> tuple[str, str, str]:
    obj.refresh_from_db()
    return obj.guest_name, obj.guest_email, obj.message


def test_guests_of_an_event_past_the_retention_are_erased(old_event, recent_event):
    item = old_event["item"]
    old_event["group"].refresh_from_db()
    counts = (item.reserved_count, old_event["reservation"].quantity, old_event["group"].pledged_total)

    erased = services.erase_guest_data()

    assert (erased.reservations, erased.pledges, erased.gifts) == (1, 1, 1)
    for kind in ("reservation", "pledge", "gift"):
        assert _guest_details(old_event[kind]) == ("Guest", "", "")
    item.refresh_from_db()
    old_event["group"].refresh_from_db()
    # The rows stay, and with them every count and total.
    assert (item.reserved_count, Reservation.objects.get(pk=old_event["reservation"].pk).quantity) == counts[
        :2
    ]
    assert old_event["group"].pledged_total == counts[2] == Decimal("40")
    assert Pledge.objects.get(pk=old_event["pledge"].pk).amount == Decimal("40")
    assert OffRegistryGift.objects.get(pk=old_event["gift"].pk).description == "A vase"
    # A recent event keeps its guests' details.
    assert _guest_details(recent_event["reservation"]) == ("new Guest", "new@guests.example", "Yay!")
    assert _guest_details(recent_event["pledge"])[0] == "new Giver"
    assert _guest_details(recent_event["gift"])[0] == "new Aunt"


def test_a_second_run_changes_nothing(old_event, recent_event):
    services.erase_guest_data()
    before = list(Reservation.objects.order_by("pk").values())

    again = services.erase_guest_data()

    assert again == services.Erased()
    assert list(Reservation.objects.order_by("pk").values()) == before


def test_the_retention_is_a_setting(settings, old_event, recent_event):
    settings.WHISPER_GUEST_DATA_RETENTION_DAYS = 5
    services.erase_guest_data()
    assert _guest_details(recent_event["reservation"]) == ("Guest", "", "")


def test_the_day_it_falls_due(db):
    registry = RegistryFactory(slug="on-the-day", event_date=days_ago(180))
    guests = with_guests(registry, "edge")
    assert (
        services.erase_guest_data(today=timezone.localdate() - datetime.timedelta(days=1))
        == services.Erased()
    )
    assert services.erase_guest_data().reservations == 1
    assert _guest_details(guests["reservation"])[0] == "Guest"


def test_old_sent_mail_goes_with_them_but_unsent_mail_stays(old_event):
    def message(status, age_days):
        row = OutgoingMessage.objects.create(
            template="reservation_confirmation",
            to="old@guests.example",
            subject="Your reservation",
            text_body="Dear old Guest",
            html_body="<p>Dear old Guest</p>",
            status=status,
        )
        OutgoingMessage.objects.filter(pk=row.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=age_days)
        )
        return row.pk

    old_sent = message(OutgoingMessage.Status.SENT, 200)
    old_queued = message(OutgoingMessage.Status.QUEUED, 200)
    recent_sent = message(OutgoingMessage.Status.SENT, 3)

    assert services.erase_guest_data().mails == 1
    assert set(OutgoingMessage.objects.values_list("pk", flat=True)) >= {old_queued, recent_sent}
    assert not OutgoingMessage.objects.filter(pk=old_sent).exists()


def test_the_couple_still_sees_what_was_given_without_the_names(client, old_event):
    registry = old_event["registry"]
    owner = registry.owners.get()
    client.force_login(owner)
    services.erase_guest_data()

    page = client.get(reverse("registries:dashboard", args=[registry.slug])).content.decode()

    assert "old teapot" in page
    assert "old Guest" not in page
    assert "old@guests.example" not in page
    assert Item.objects.get(pk=old_event["item"].pk).reserved_count == 2


def test_the_command_erases_and_says_how_much(old_event, recent_event, capsys):
    call_command("erase_guest_data", "--days", "5")
    out = capsys.readouterr().out
    assert "erased guest details on 2 reservation(s), 2 pledge(s), 2 gift(s)" in out
    assert _guest_details(recent_event["reservation"])[0] == "Guest"


def test_celery_beat_runs_the_task_every_day(old_event):
    for name, entry in celery_app.conf.beat_schedule.items():  # as beat does when it starts
        ModelEntry.from_entry(name, app=celery_app, **entry)
    task = PeriodicTask.objects.get(name="Erase guest data past retention")
    assert task.enabled and task.crontab.hour == "3" and task.crontab.minute == "30"
    assert task.task in celery_app.tasks

    result = erase_guest_data.delay().get()

    assert result == {"reservations": 1, "pledges": 1, "gifts": 1, "mails": 0}
