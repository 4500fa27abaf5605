"""Registry.pledge_instructions: how the couple wants to receive contributions, set on the edit page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from apps.registries.models import Registry
from apps.reservations.services import AMOUNTS
from tests.gifts import group_gift

pytestmark = pytest.mark.django_db


def _data(registry, **overrides) -> dict:
    data = {
        "partner_one": registry.partner_one,
        "partner_two": registry.partner_two,
        "event_date": registry.event_date.isoformat(),
        "location": registry.location,
        "welcome_message": registry.welcome_message,
        "slug": registry.slug,
        "privacy": registry.privacy,
        "passphrase": "",
        "spoilers": registry.spoilers,
    }
    data.update(overrides)
    return data


def test_the_couple_sets_them_and_guests_read_them_escaped(owner_client, registry):
    bike = group_gift(registry, price="300.00")
    instructions = "PayPal: https://paypal.me/alexsam\n<script>alert('x')</script> or cash"

    response = owner_client.post(
        reverse("registries:edit", args=[registry.slug]), _data(registry, pledge_instructions=instructions)
    )

    assert response.status_code == 302
    assert Registry.objects.get(pk=registry.pk).pledge_instructions == instructions
    form_page = Client().get(reverse("reservations:pledge", args=[registry.slug, bike.pk])).content.decode()
    assert "paypal.me/alexsam" not in form_page  # shown only once the guest has pledged (issue 15)
    pledge = AMOUNTS.take(bike.pk, Decimal("20.00"), "Robin", "robin@example.com")
    html = Client().get(pledge.get_manage_url()).content.decode()
    assert '<a href="https://paypal.me/alexsam" rel="nofollow">https://paypal.me/alexsam</a>' in html
    assert "<br>" in html.split('class="pledge-instructions"')[1].split("</div>")[0]
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; or cash" in html
    assert "<script>alert" not in html


def test_the_edit_form_offers_them(owner_client, registry):
    html = owner_client.get(reverse("registries:edit", args=[registry.slug])).content.decode()

    assert 'name="pledge_instructions"' in html
