"""The couple hears of a new reservation right away, as their spoiler setting allows."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from apps.notifications import outbox, services
from apps.notifications.models import OutgoingMessage, RegistryPreference
from apps.registries.models import Registry
from apps.reservations import services as reservations
from tests.factories import ItemFactory

pytestmark = pytest.mark.django_db

OwnerMail = RegistryPreference.OwnerMail


@pytest.fixture
def teapot(registry):
    return ItemFactory(registry=registry, title="Teapot", quantity=3)


def _owner_mail() -> list:
    return [m for m in mail.outbox if m.to == ["alex@example.com"]]


def _reserve(teapot, quantity: int = 1):
    return reservations.reserve(teapot.pk, quantity, "Robin <3", "robin@example.com", "Enjoy it!\n— R")


def test_right_away_with_everything_shown_says_who_and_what(registry, teapot):
    services.set_owner_mail(registry, OwnerMail.IMMEDIATELY)

    _reserve(teapot, 2)

    [message] = _owner_mail()
    assert message.subject == "Robin <3 reserved “Teapot”"
    assert "Robin <3 just reserved 2 × “Teapot”" in message.body
    assert "Enjoy it!" in message.body
    html = message.alternatives[0][0]
    assert "Robin &lt;3" in html and "Robin <3" not in html  # typed by a guest: escaped
    assert "List-Unsubscribe" in message.extra_headers
    # The guest got their confirmation too, each mail its own outbox row.
    assert [m.to for m in mail.outbox] == [["robin@example.com"], ["alex@example.com"]]


def test_counts_only_says_how_many_not_what_or_who(registry, teapot):
    services.set_owner_mail(registry, OwnerMail.IMMEDIATELY)
    Registry.objects.filter(pk=registry.pk).update(spoilers=Registry.Spoilers.COUNTS)

    _reserve(teapot, 2)

    [message] = _owner_mail()
    assert message.subject == "2 gifts reserved from your registry"
    for text in (message.subject, message.body, message.alternatives[0][0]):
        assert "Robin" not in text
        assert "Teapot" not in text
        assert "Enjoy it" not in text
    assert "2 gifts were just reserved" in message.body


def test_nothing_until_after_the_event_sends_nothing(registry, teapot):
    services.set_owner_mail(registry, OwnerMail.IMMEDIATELY)
    Registry.objects.filter(pk=registry.pk).update(spoilers=Registry.Spoilers.NONE)

    _reserve(teapot)

    assert _owner_mail() == []


def test_after_the_reveal_nothing_is_hidden_any_more(registry, teapot):
    services.set_owner_mail(registry, OwnerMail.IMMEDIATELY)
    Registry.objects.filter(pk=registry.pk).update(
        spoilers=Registry.Spoilers.NONE, event_date=timezone.localdate() - datetime.timedelta(days=2)
    )

    _reserve(teapot)

    [message] = _owner_mail()
    assert "Robin <3" in message.subject


@pytest.mark.parametrize("choice", [OwnerMail.DIGEST, OwnerMail.OFF])
def test_digest_or_off_sends_nothing_right_away(registry, teapot, choice):
    services.set_owner_mail(registry, choice)

    _reserve(teapot)

    assert _owner_mail() == []
    assert [m.to for m in mail.outbox] == [["robin@example.com"]]


def test_every_owner_gets_one(registry, teapot, other_couple):
    registry.owners.add(other_couple)
    services.set_owner_mail(registry, OwnerMail.IMMEDIATELY)

    _reserve(teapot)

    assert sorted(m.to[0] for m in mail.outbox if m.to != ["robin@example.com"]) == [
        "alex@example.com",
        "jo@example.com",
    ]


def test_the_mails_are_written_in_the_reservations_transaction(
    registry, teapot, django_capture_on_commit_callbacks
):
    services.set_owner_mail(registry, OwnerMail.IMMEDIATELY)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _reserve(teapot)
        rows = sorted(OutgoingMessage.objects.values_list("template", "to", "status"))

    assert rows == [
        ("owner_new_reservation", "alex@example.com", "queued"),
        ("reservation_confirmation", "robin@example.com", "queued"),
    ]
    # One send task each, queued only once the transaction commits.
    assert sum(getattr(c, "func", None) is outbox.enqueue for c in callbacks) == 2
    assert mail.outbox == []
