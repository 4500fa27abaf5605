"""reservations:pledge — a guest contributes toward a group gift."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from apps.items.models import Item
from apps.ops import flags
from apps.registries.models import Registry
from apps.reservations import services
from apps.reservations.models import Pledge
from tests.factories import ItemFactory
from tests.gifts import group_gift, link_paths, switch_off

pytestmark = pytest.mark.django_db


@pytest.fixture
def bike(registry):
    return group_gift(registry, price="300.00", title="Tandem bike")


def _url(item) -> str:
    return reverse("reservations:pledge", args=[item.registry.slug, item.pk])


def _data(**overrides) -> dict:
    data = {"amount": "50", "guest_name": "Robin", "guest_email": "robin@example.com", "message": "Ride on!"}
    data.update(overrides)
    return data


def test_the_form_shows_the_progress_but_the_instructions_only_after_pledging(client, bike, registry):
    Item.objects.filter(pk=bike.pk).update(pledged_total=Decimal("75"))
    Registry.objects.filter(pk=registry.pk).update(
        pledge_instructions="Please use https://paypal.me/alexsam\nor cash at the party <3"
    )

    response = client.get(_url(bike))
    html = response.content.decode()

    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex"
    assert 'max="300.00" value="75.00"' in html
    assert "$75.00 of $300.00 pledged" in html
    assert "$225.00 of $300.00 still to contribute." in html
    # The couple's own instructions (bank details, a PayPal.me link) only for guests who pledged.
    assert "paypal.me/alexsam" not in html
    assert "we show you (and email you) how Alex &amp; Sam would like to receive it" in html
    client.post(_url(bike), _data(amount="20"))
    manage = client.get(Pledge.objects.get().get_manage_url()).content.decode()
    assert '<a href="https://paypal.me/alexsam" rel="nofollow">https://paypal.me/alexsam</a>' in manage
    assert "or cash at the party &lt;3" in manage
    assert "https://paypal.me/alexsam" in mail.outbox[-1].body


def test_a_guest_pledges_and_lands_on_the_manage_page(client, bike):
    response = client.post(_url(bike), _data(amount="120.50"))

    pledge = Pledge.objects.get()
    assert response.status_code == 302
    assert response["Location"] == pledge.get_manage_url()
    assert (pledge.item, pledge.amount, pledge.guest_email) == (bike, Decimal("120.50"), "robin@example.com")
    bike.refresh_from_db()
    assert bike.pledged_total == Decimal("120.50")
    assert pledge.get_manage_url() in link_paths(mail.outbox[0])
    page = client.get(response["Location"]).content.decode()
    assert "Thank you! We&#x27;ve emailed you a link" in page
    assert "$120.50" in page


def test_an_over_pledge_is_refused_with_what_is_left(client, bike):
    Item.objects.filter(pk=bike.pk).update(pledged_total=Decimal("280"))

    response = client.post(_url(bike), _data(amount="25"))

    assert response.status_code == 200
    assert "only $20.00 left to contribute" in response.content.decode()
    assert not Pledge.objects.exists()
    assert mail.outbox == []


def test_a_guest_who_was_beaten_to_it_is_told_what_is_left_now(client, bike, monkeypatch):
    """The form allowed the amount, but another pledge landed in between."""
    real_pledge = services.AMOUNTS.take

    def someone_was_quicker(item_id, amount, *args, **kwargs):
        Item.objects.filter(pk=item_id).update(pledged_total=Decimal("290"))
        return real_pledge(item_id, amount, *args, **kwargs)

    monkeypatch.setattr(services.AMOUNTS, "take", someone_was_quicker)

    response = client.post(_url(bike), _data(amount="25"))

    assert response.status_code == 200
    assert "only $10.00 left to contribute" in response.content.decode()
    assert not Pledge.objects.exists()


@pytest.mark.parametrize(
    ("amount", "error"),
    [
        ("", "How much would you like to contribute?"),
        ("0", "above zero"),
        ("abc", "Enter the amount as a number"),
    ],
)
def test_bad_amounts_get_a_clear_message(client, bike, amount, error):
    response = client.post(_url(bike), _data(amount=amount))

    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Pledge.objects.exists()


def test_a_fully_funded_gift_sends_guests_back_to_the_registry(client, bike, registry):
    Item.objects.filter(pk=bike.pk).update(pledged_total=Decimal("300"))

    response = client.get(_url(bike), follow=True)

    assert response.redirect_chain[0][0] == registry.get_absolute_url()
    assert "is fully funded" in response.content.decode()


def test_only_group_gifts_take_pledges_and_reserving_one_leads_here(client, registry, bike):
    ordinary = ItemFactory(registry=registry)

    assert client.get(_url(ordinary)).status_code == 404
    reserve = client.get(reverse("reservations:reserve", args=[registry.slug, bike.pk]))
    assert reserve["Location"] == _url(bike)


def test_html_typed_by_guests_comes_back_escaped_to_the_couple(owner_client, bike, registry):
    Client().post(_url(bike), _data(guest_name="<b>Robin</b>", message="<script>alert(1)</script>"))

    html = owner_client.get(reverse("registries:dashboard", args=[registry.slug])).content.decode()

    assert "&lt;b&gt;Robin&lt;/b&gt;" in html
    assert "<b>Robin</b>" not in html
    assert "<script>alert(1)</script>" not in html


def test_with_the_flag_off_the_page_is_a_404_and_the_card_has_no_contribute_link(
    client, bike, registry, django_capture_on_commit_callbacks
):
    public = reverse("registries:public", args=[registry.slug])
    assert _url(bike) in client.get(public).content.decode()

    switch_off(flags.GROUP_GIFTS, django_capture_on_commit_callbacks)

    assert client.get(_url(bike)).status_code == 404
    assert client.post(_url(bike), _data()).status_code == 404
    html = client.get(public).content.decode()
    assert _url(bike) not in html
    assert "Contribute" not in html
    assert not Pledge.objects.exists()


def test_flipping_the_flag_makes_cached_cards_stale(bike, registry, django_capture_on_commit_callbacks):
    ordinary = ItemFactory(registry=registry)

    switch_off(flags.GROUP_GIFTS, django_capture_on_commit_callbacks)

    assert Item.objects.get(pk=bike.pk).cache_version == bike.cache_version + 1
    assert Item.objects.get(pk=ordinary.pk).cache_version == ordinary.cache_version
    assert Registry.objects.get(pk=registry.pk).cache_version == registry.cache_version + 1
