"""Rough edge 7: a past event date is refused at creation; after the event the page says so, kindly.

After the event guests may still give belated gifts until the guests' links
expire (``Registry.token_valid_until``); then the registry is closed.
"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import formats, timezone

from apps.registries.models import Registry
from tests.factories import ItemFactory, RegistryFactory

pytestmark = pytest.mark.django_db

CREATE = reverse("registries:create")


def _data(**overrides) -> dict:
    data = {
        "partner_one": "Alex",
        "partner_two": "Sam",
        "event_date": "2031-06-14",
        "time_zone": "Europe/Vienna",
        "currency": "EUR",
        "location": "Hallstatt",
        "welcome_message": "",
        "slug": "",
        "privacy": "unlisted",
        "passphrase": "",
        "spoilers": "all",
    }
    data.update(overrides)
    return data


def test_a_past_event_date_is_refused_at_creation(owner_client):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)

    response = owner_client.post(CREATE, _data(event_date=yesterday.isoformat(), time_zone="UTC"))

    assert response.status_code == 200
    assert "That day has already passed." in response.content.decode()
    assert not Registry.objects.filter(partner_one="Alex", location="Hallstatt").exists()


def test_today_is_fine_where_the_couple_lives(owner_client):
    # 8 pm on 1 May in Los Angeles: 2 May in UTC. Their today is still 1 May.
    with time_machine.travel(datetime.datetime(2027, 5, 2, 3, 0, tzinfo=datetime.UTC), tick=False):
        response = owner_client.post(
            CREATE, _data(event_date="2027-05-01", time_zone="America/Los_Angeles", slug="la-today")
        )

    assert response.status_code == 302
    registry = Registry.objects.get(slug="la-today")
    assert (registry.time_zone, registry.currency) == ("America/Los_Angeles", "EUR")


def test_an_unknown_time_zone_is_refused(owner_client):
    response = owner_client.post(CREATE, _data(time_zone="Mars/Olympus_Mons"))

    assert response.status_code == 200
    assert not Registry.objects.filter(location="Hallstatt").exists()


def test_the_form_offers_zones_and_currencies_and_guesses_the_browsers_zone(owner_client, settings):
    html = owner_client.get(CREATE).content.decode()

    assert 'name="time_zone"' in html and "data-browser-zone" in html
    assert '<optgroup label="Common time zones">' in html
    assert f'<option value="{settings.TIME_ZONE}" selected>' in html  # without JavaScript
    assert '<option value="Pacific/Auckland">' in html
    assert "js/time-zone.js" in html
    assert '<option value="EUR">' in html


def test_editing_after_the_event_keeps_its_date(owner_client, registry):
    past = timezone.localdate() - datetime.timedelta(days=20)
    Registry.objects.filter(pk=registry.pk).update(event_date=past)
    url = reverse("registries:edit", args=[registry.slug])

    kept = owner_client.post(url, _data(event_date=past.isoformat(), slug=registry.slug, location="Faro"))
    moved = owner_client.post(url, _data(event_date=(past - datetime.timedelta(days=1)).isoformat()))

    assert kept.status_code == 302
    assert Registry.objects.get(pk=registry.pk).location == "Faro"
    assert "That day has already passed." in moved.content.decode()


def test_the_public_page_says_the_event_has_passed_and_welcomes_belated_gifts(client, couple):
    registry = RegistryFactory(slug="belated", event_date=datetime.date(2027, 6, 12), owners=[couple])
    teapot = ItemFactory(registry=registry, title="Teapot")
    url = reverse("registries:public", args=[registry.slug])
    reserve = reverse("reservations:reserve", args=[registry.slug, teapot.pk])

    with time_machine.travel(datetime.datetime(2027, 6, 12, 20, 0, tzinfo=datetime.UTC), tick=False):
        on_the_day = client.get(url).content.decode()
    with time_machine.travel(datetime.datetime(2027, 6, 13, 9, 0, tzinfo=datetime.UTC), tick=False):
        after = client.get(url).content.decode()
        form = client.get(reserve)

    assert "celebrated on" not in on_the_day
    assert "Alex and Sam celebrated on June 12, 2027" in after
    until = formats.date_format(registry.token_valid_until())
    assert f"Belated gifts are still warmly welcome here until {until}" in after
    assert reserve in after  # guests may still reserve
    assert form.status_code == 200 and 'name="guest_name"' in form.content.decode()
    assert "A belated gift is a lovely surprise" in form.content.decode()


def test_once_the_links_expire_the_page_says_the_registry_is_closed(client, couple):
    registry = RegistryFactory(slug="closed", event_date=datetime.date(2027, 6, 12), owners=[couple])
    teapot = ItemFactory(registry=registry, title="Teapot")
    day_after_last = registry.token_valid_until() + datetime.timedelta(days=1)

    with time_machine.travel(
        datetime.datetime.combine(day_after_last, datetime.time(12), tzinfo=datetime.UTC)
    ):
        html = client.get(reverse("registries:public", args=[registry.slug])).content.decode()

    assert "is closed now" in html
    assert "Teapot" in html
    assert reverse("reservations:reserve", args=[registry.slug, teapot.pk]) not in html
