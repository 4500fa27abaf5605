"""After a registry's manage links expire it takes no new claims, and no mail promises a day past."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import formats, timezone

from apps.items.models import Item
from apps.registries.models import Registry
from apps.reservations import services
from apps.reservations.models import Pledge, Reservation
from tests.factories import ReservationFactory
from tests.gifts import group_gift

pytestmark = pytest.mark.django_db

DAYS = settings.WHISPER_TOKEN_DAYS_AFTER_EVENT


def _event(registry, days_ago: int) -> None:
    Registry.objects.filter(pk=registry.pk).update(
        event_date=timezone.localdate() - datetime.timedelta(days_ago)
    )
    registry.refresh_from_db()


@pytest.fixture
def bike(registry):
    return group_gift(registry, price="300.00", title="Tandem bike")


def _claims(hammock, bike) -> list[tuple[services.ClaimKind, Item, object, dict]]:
    """Each kind of claim: its rules, a gift that takes it, a value, and its form."""
    guest = {"guest_name": "Pat", "guest_email": "pat@example.com", "message": ""}
    return [
        (services.UNITS, hammock, 1, {"quantity": "1", **guest}),
        (services.AMOUNTS, bike, Decimal("20"), {"amount": "20", **guest}),
    ]


def test_every_kind_is_refused_once_the_links_expired(client, registry, hammock, bike):
    _event(registry, DAYS + 1)

    for kind, item, value, form in _claims(hammock, bike):
        page = reverse(
            f"reservations:{'reserve' if kind is services.UNITS else 'pledge'}", args=[registry.slug, item.pk]
        )
        with pytest.raises(services.RegistryClosed) as refused:
            kind.take(item.pk, value, "Pat", "pat@example.com")
        assert refused.value.code == "registry_closed"

        shown, posted = client.get(page), client.post(page, form)

        for response in (shown, posted):
            html = response.content.decode()
            assert response.status_code == 200
            assert "This registry is closed" in html
            assert 'name="guest_email"' not in html  # no form to fill in for nothing
    assert not Reservation.objects.exists() and not Pledge.objects.exists()
    assert Item.objects.get(pk=hammock.pk).reserved_count == 0
    assert mail.outbox == []


def test_the_last_day_of_the_links_still_takes_claims(registry, hammock, bike):
    _event(registry, DAYS)

    for kind, item, value, _form in _claims(hammock, bike):
        kind.take(item.pk, value, "Pat", "pat@example.com")

    assert len(mail.outbox) == 2
    last_day = f"until {formats.date_format(registry.token_valid_until())}"
    assert all(last_day in message.body for message in mail.outbox)


def _guest_mails() -> list[str]:
    """Every mail a claim sends its guest, by the templates' folders."""
    folder = Path(settings.BASE_DIR) / "templates" / "emails"
    return sorted(p.name for p in folder.iterdir() if p.name.split("_")[0] in services.KINDS)


def _past_days(body: str) -> list[str]:
    """The days before today (back to the event) that ``body`` names, as the mails write a day."""
    today = timezone.localdate()
    past = (formats.date_format(today - datetime.timedelta(days=n)) for n in range(1, DAYS + 3))
    return [day for day in past if day in body]


def test_no_guest_mail_names_a_day_that_has_passed(registry, hammock, bike):
    claims = {
        services.UNITS: ReservationFactory(item=hammock),
        services.AMOUNTS: Pledge.objects.create(
            item=bike, guest_name="Pat", guest_email="p@example.com", amount=5
        ),
    }
    _event(registry, DAYS + 1)
    names = _guest_mails()
    assert len(names) >= 6

    for name in names:
        kind, _, what = name.partition("_")
        mail.outbox.clear()
        services.KINDS[kind].send_mail(what, claims[services.KINDS[kind]].pk)
        message = mail.outbox[0]
        for body in (message.subject, message.body, message.alternatives[0][0]):
            assert _past_days(body) == [], name
            assert " until " not in body, name
