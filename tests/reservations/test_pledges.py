"""The claim lifecycle for pledges (``services.AMOUNTS``): take, change, cancel."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from apps.items.models import Item
from apps.metrics.models import Counter
from apps.registries.models import Registry
from apps.reservations import services
from apps.reservations.models import Pledge
from tests.factories import ItemFactory
from tests.gifts import group_gift, link_paths

pytestmark = pytest.mark.django_db


@pytest.fixture
def bike(registry):
    """A group gift of 300.00 EUR, nothing pledged yet."""
    return group_gift(registry, price="300.00", title="Tandem bike", currency="EUR")


def _pledge(item, amount: str, name: str = "Robin", email: str = "robin@example.com") -> Pledge:
    return services.AMOUNTS.take(item.pk, Decimal(amount), name, email, message="For the honeymoon")


def test_a_pledge_adds_to_the_total_bumps_the_caches_and_mails_the_manage_link(
    bike, registry, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        pledge = _pledge(bike, "120.50")

    bike.refresh_from_db()
    assert bike.pledged_total == Decimal("120.50")
    assert bike.left_to_pledge() == Decimal("179.50")
    assert bike.cache_version == 2
    assert Registry.objects.get(pk=registry.pk).cache_version == registry.cache_version + 1
    assert (pledge.guest_name, pledge.amount, pledge.is_active) == ("Robin", Decimal("120.50"), True)
    [message] = mail.outbox
    assert message.to == ["robin@example.com"]
    assert "€120.50" in message.subject
    assert pledge.get_manage_url() in link_paths(message)
    assert Counter.objects.get(name="pledges").value == 1


def test_the_mail_says_how_the_couple_wants_to_receive_it(bike, registry):
    Registry.objects.filter(pk=registry.pk).update(pledge_instructions="paypal.me/alexsam <b>thanks</b>")

    _pledge(bike, "10")

    [message] = mail.outbox
    assert "paypal.me/alexsam <b>thanks</b>" in message.body  # plain text as typed
    html = message.alternatives[0][0]
    assert "&lt;b&gt;thanks&lt;/b&gt;" in html
    assert "<b>thanks</b>" not in html


def test_pledges_stop_at_the_price(bike):
    _pledge(bike, "250")

    with pytest.raises(services.NotAvailable) as caught:
        _pledge(bike, "50.01", name="Charlie")
    assert (caught.value.code, caught.value.params["left"]) == ("not_enough_left", "€50.00")

    bike.refresh_from_db()
    assert bike.pledged_total == Decimal("250.00")
    assert Pledge.objects.count() == 1
    assert len(mail.outbox) == 1

    _pledge(bike, "50", name="Charlie")  # exactly the rest is fine
    bike.refresh_from_db()
    assert bike.pledged_total == bike.price
    assert not bike.is_available
    with pytest.raises(services.NotAvailable) as caught:
        _pledge(bike, "1", name="Dana")
    assert caught.value.code == "not_available"


@pytest.mark.parametrize("amount", ["0", "-5", "1.001"])
def test_an_amount_that_is_not_whole_positive_cents_is_refused(bike, amount):
    with pytest.raises(services.ClaimError) as caught:
        _pledge(bike, amount)
    assert caught.value.code == "invalid_amount"
    assert not Pledge.objects.exists()


def test_only_visible_group_gifts_take_pledges(registry):
    ordinary = ItemFactory(registry=registry)
    hidden = group_gift(registry, hidden=True)

    for item in (ordinary, hidden):
        with pytest.raises(services.Closed):
            _pledge(item, "5")
    assert not Pledge.objects.exists()


def test_a_group_gift_received_elsewhere_takes_no_more_pledges(bike):
    Item.objects.filter(pk=bike.pk).update(received_elsewhere=1)

    with pytest.raises(services.Closed):
        _pledge(bike, "5")


def test_a_group_gift_cannot_be_reserved(bike):
    with pytest.raises(services.NotAvailable):
        services.UNITS.take(bike.pk, 1, "Pat", "pat@example.com")
    bike.refresh_from_db()
    assert bike.reserved_count == 0


def test_changing_a_pledge_moves_only_the_difference(bike):
    first = _pledge(bike, "100")
    _pledge(bike, "150", name="Charlie")
    mail.outbox.clear()

    services.AMOUNTS.change(first.pk, Decimal("150"))  # all that is left: 50 more
    bike.refresh_from_db()
    assert bike.pledged_total == Decimal("300.00")

    with pytest.raises(services.NotAvailable) as caught:
        services.AMOUNTS.change(first.pk, Decimal("150.01"))
    assert (caught.value.code, caught.value.params["most"]) == ("not_available", "€150.00")

    services.AMOUNTS.change(first.pk, Decimal("20"))
    bike.refresh_from_db()
    first.refresh_from_db()
    assert (bike.pledged_total, first.amount) == (Decimal("170.00"), Decimal("20.00"))
    assert [m.to for m in mail.outbox] == [["robin@example.com"], ["robin@example.com"]]
    assert "€20.00" in mail.outbox[-1].subject


def test_raising_a_pledge_past_the_price_says_how_much_more_is_left(bike):
    first = _pledge(bike, "100")
    _pledge(bike, "180", name="Charlie")

    with pytest.raises(services.NotAvailable) as caught:
        services.AMOUNTS.change(first.pk, Decimal("150"))

    error = caught.value
    assert (error.code, error.params["left"], error.params["most"]) == (
        "not_enough_left",
        "€20.00",
        "€120.00",
    )
    first.refresh_from_db()
    assert first.amount == Decimal("100.00")


def test_cancelling_gives_the_amount_back_once(bike):
    pledge = _pledge(bike, "80")
    mail.outbox.clear()

    assert services.AMOUNTS.cancel(pledge.pk) is True
    assert services.AMOUNTS.cancel(pledge.pk) is False

    bike.refresh_from_db()
    pledge.refresh_from_db()
    assert bike.pledged_total == Decimal("0.00")
    assert pledge.cancelled_at is not None
    assert len(mail.outbox) == 1
    assert "cancelled" in mail.outbox[0].subject
    with pytest.raises(services.Cancelled):
        services.AMOUNTS.change(pledge.pk, Decimal("10"))


def test_the_database_refuses_a_total_past_the_price(bike):
    with pytest.raises(IntegrityError), transaction.atomic():
        Item.objects.filter(pk=bike.pk).update(pledged_total=Decimal("300.01"))


def test_the_database_refuses_a_group_gift_without_a_price(registry):
    with pytest.raises(IntegrityError), transaction.atomic():
        ItemFactory(registry=registry, group_gift=True, price=None)


def test_money_reads_like_the_pages():
    assert services.money(Decimal("1234.5"), "USD") == "$1,234.50"
