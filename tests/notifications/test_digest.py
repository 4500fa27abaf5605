"""The daily digest: one mail a day per registry, with every reservation since the last one."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from waffle.models import Flag

from apps.notifications import services
from apps.notifications.models import RegistryPreference
from apps.ops import flags
from apps.registries.models import Registry
from apps.reservations import services as reservations
from tests.factories import ItemFactory, RegistryFactory

pytestmark = pytest.mark.django_db

OwnerMail = RegistryPreference.OwnerMail


@pytest.fixture(autouse=True)
def _after_the_local_hour():
    """Past nine in the morning where these (UTC) couples live: the hour digests go out."""
    with time_machine.travel(datetime.datetime(2026, 6, 10, 10, 0, tzinfo=datetime.UTC)):
        yield


@pytest.fixture
def gifts(registry):
    return [
        ItemFactory(registry=registry, title=title, quantity=2) for title in ("Teapot", "Hammock", "Kite")
    ]


def _reserve_each(gifts, names=("Robin", "Charlie", "Dana")):
    for gift, name in zip(gifts, names, strict=True):
        reservations.reserve(gift.pk, 1, name, f"{name.lower()}@example.com", f"From {name}")


def _digests() -> list:
    return [m for m in mail.outbox if m.to == ["alex@example.com"]]


def test_three_reservations_make_one_mail(registry, gifts):
    _reserve_each(gifts)

    assert services.send_digests() == 1

    [digest] = _digests()
    assert digest.subject == "3 new reservations for Alex & Sam"
    for name, title in [("Robin", "Teapot"), ("Charlie", "Hammock"), ("Dana", "Kite")]:
        assert f"- {name}: 1 × “{title}”" in digest.body
        assert name in digest.alternatives[0][0]
    assert "List-Unsubscribe" in digest.extra_headers


def test_the_next_day_brings_only_what_is_new(registry, gifts):
    _reserve_each(gifts[:2], ("Robin", "Charlie"))
    services.send_digests()
    mail.outbox.clear()

    assert services.send_digests() == 0  # nothing new: no mail

    reservations.reserve(gifts[2].pk, 1, "Dana", "dana@example.com")
    later = timezone.now() + datetime.timedelta(days=1)
    assert services.send_digests(now=later) == 1
    [digest] = _digests()
    assert digest.subject == "1 new reservation for Alex & Sam"
    assert "Dana" in digest.body
    assert "Robin" not in digest.body


def test_counts_only_says_how_many(registry, gifts):
    Registry.objects.filter(pk=registry.pk).update(spoilers=Registry.Spoilers.COUNTS)
    _reserve_each(gifts)

    services.send_digests()

    [digest] = _digests()
    assert "3 reservations (3 gifts)" in digest.body
    for secret in ("Robin", "Charlie", "Teapot", "Hammock", "From Dana"):
        assert secret not in digest.body
        assert secret not in digest.alternatives[0][0]


def test_nothing_until_the_reveal_sends_nothing_and_is_not_sent_later(registry, gifts):
    Registry.objects.filter(pk=registry.pk).update(spoilers=Registry.Spoilers.NONE)
    _reserve_each(gifts)

    assert services.send_digests() == 0
    assert _digests() == []
    assert RegistryPreference.objects.get(registry=registry).last_digest_at is not None


@pytest.mark.parametrize("choice", [OwnerMail.IMMEDIATELY, OwnerMail.OFF])
def test_couples_who_chose_otherwise_get_no_digest(registry, gifts, choice):
    services.set_owner_mail(registry, choice)
    _reserve_each(gifts)
    mail.outbox.clear()

    assert services.send_digests() == 0
    assert _digests() == []


def test_cancelled_reservations_and_other_registries_are_left_out(registry, gifts):
    _reserve_each(gifts)
    reservations.cancel(reservations.Reservation.objects.get(guest_name="Charlie").pk)
    elsewhere = ItemFactory(registry=RegistryFactory(slug="elsewhere"), title="Canoe")
    reservations.reserve(elsewhere.pk, 1, "Stranger", "stranger@example.com")

    services.send_digests()

    [digest] = _digests()
    assert "Charlie" not in digest.body
    assert "Canoe" not in digest.body
    assert digest.subject == "2 new reservations for Alex & Sam"


def test_the_digest_mail_flag_turns_it_off(registry, gifts):
    Flag.objects.update_or_create(name=flags.DIGEST_MAIL, defaults={"everyone": False})
    _reserve_each(gifts)

    assert services.send_digests() == 0
    assert _digests() == []


def test_the_digest_task_runs_the_service(registry, gifts):
    from apps.notifications.tasks import send_digests

    _reserve_each(gifts)

    assert send_digests.delay().get() == 1
    assert len(_digests()) == 1
