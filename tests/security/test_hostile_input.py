"""Hostile input in every text field: HTML and JavaScript, 10,000 characters,
control characters, mixed scripts. Never a server error; what is saved is
shown escaped; a NUL byte (PostgreSQL cannot store one) is a form error.

The generic tests take the forms from the pages (tests/security/crawl.py),
so a form added later is fuzzed too; the others follow a saved value to the
pages that show it.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from hypothesis import example, given
from hypothesis import strategies as st

from apps.accounts.models import User
from apps.items.models import Item
from apps.registries.models import Registry
from apps.reservations.models import Reservation
from tests.security.crawl import changed_tables, snapshot, visit
from tests.security.hostile import FUZZ, FUZZ_FEW, HTML, hostile, raw_markup
from tests.security.test_csrf import collect

pytestmark = pytest.mark.django_db

NUL_MESSAGE = "Null characters are not allowed."
CLASSIC = "<script>alert(1)</script>"


def _forms(site):
    if not hasattr(site, "forms_found"):
        site.forms_found = collect(site)
    return site.forms_found


def _client(site, found) -> Client:
    return site.owner if found.user is not None else Client()


def _check(response, where: str) -> None:
    assert response.status_code < 500, f"{where}: {response.status_code}"
    html = response.content.decode(errors="replace")
    assert raw_markup(html) is None, f"{where} shows {raw_markup(html)!r} as markup"


# Every form on the site ---------------------------------------------------------
@FUZZ
@given(data=st.data())
def test_every_text_field_of_every_form_takes_hostile_input(site, data):
    for found in _forms(site):
        if not found.form.text_fields:
            continue
        values = {name: data.draw(hostile, label=name) for name in found.form.text_fields}
        with transaction.atomic():
            response = _client(site, found).post(found.form.action, found.form.fields(**values), follow=True)
            transaction.set_rollback(True)
        _check(response, f"{found.role}: {found.form}")


def test_a_nul_byte_in_any_text_field_is_a_form_error_and_changes_nothing(site):
    checked = 0
    for found in _forms(site):
        if not found.form.text_fields:
            continue
        values = {name: f"Alex\x00{name}" for name in found.form.text_fields}
        before = snapshot()
        response = _client(site, found).post(found.form.action, found.form.fields(**values))
        assert response.status_code < 500, f"{found.form}: {response.status_code}"
        assert not changed_tables(before, snapshot()), f"{found.form} saved a NUL byte"
        if response.status_code == 200:
            assert NUL_MESSAGE in response.content.decode(), f"{found.form} does not say what is wrong"
        checked += 1
    assert checked >= 15


def _visited(site) -> dict[str, list[str]]:
    if not hasattr(site, "visited"):
        site.visited = {
            "owner": list(visit(site.owner, site.world, owner_side=True).pages),
            "guest": list(visit(Client(), site.world, owner_side=False).pages),
        }
    return site.visited


@FUZZ_FEW
@given(value=hostile)
def test_query_strings_are_hostile_too(site, value):
    params = {name: value for name in ("q", "next", "url", "sort", "category", "min_price", "plan", "import")}
    visited = _visited(site)
    for url in visited["owner"]:
        _check(site.owner.get(url, params), f"owner GET {url}")
    for url in visited["guest"]:
        _check(Client().get(url, params), f"guest GET {url}")


# Saved, then shown where it is read -----------------------------------------------
def _shown_escaped(html: str, value: str) -> bool:
    return escape(value) in html


@FUZZ
@given(name=hostile, location=hostile, welcome=hostile)
@example(name=CLASSIC, location=HTML[1], welcome=HTML[4])
def test_registry_details_are_shown_escaped(site, name, location, welcome):
    registry = site.registry
    data = {
        "partner_one": name,
        "partner_two": "Sam",
        "event_date": (timezone.localdate() + datetime.timedelta(days=90)).isoformat(),
        "location": location,
        "welcome_message": welcome,
        "slug": registry.slug,
        "privacy": Registry.Privacy.PUBLIC,
        "spoilers": Registry.Spoilers.ALL,
    }
    response = site.owner.post(reverse("registries:edit", args=[registry.slug]), data)
    _check(response, "registry edit")
    assert response.status_code == 302 or (name, location, welcome) != (CLASSIC, HTML[1], HTML[4])
    if response.status_code != 302:
        return  # refused with a message (too long, a NUL byte…)
    saved = Registry.objects.get(pk=registry.pk)
    for url in (
        reverse("registries:public", args=[registry.slug]),
        reverse("registries:dashboard", args=[registry.slug]),
    ):
        page = site.owner.get(url)
        _check(page, url)
        assert _shown_escaped(page.content.decode(), saved.partner_one), url
    if name == CLASSIC:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.content.decode()


@FUZZ
@given(title=hostile, description=hostile, note=hostile, category=hostile)
@example(title=CLASSIC, description=HTML[1], note=HTML[4], category=HTML[2])
def test_gift_details_are_shown_escaped(site, title, description, note, category):
    registry = site.registry
    data = {
        "title": title,
        "description": description,
        "price": "12.50",
        "currency": "USD",
        "quantity": "1",
        "store_url": "https://shop.example/teapot",
        "priority": Item.Priority.WOULD_LOVE,
        "category": category,
        "note": note,
    }
    before = set(Item.objects.values_list("pk", flat=True))
    response = site.owner.post(reverse("items:add", args=[registry.slug]), data)
    _check(response, "add a gift")
    assert response.status_code == 302 or (title, description, note) != (CLASSIC, HTML[1], HTML[4])
    if response.status_code != 302:
        return
    item = Item.objects.exclude(pk__in=before).get()
    for url in (
        reverse("registries:public", args=[registry.slug]),
        reverse("registries:dashboard", args=[registry.slug]),
        reverse("items:edit", args=[registry.slug, item.pk]),
        reverse("reservations:reserve", args=[registry.slug, item.pk]),
    ):
        page = site.owner.get(url)
        _check(page, url)
        assert _shown_escaped(page.content.decode(), item.title), url


@FUZZ
@given(name=hostile, message=hostile)
@example(name=CLASSIC, message=HTML[1])
def test_a_guests_name_and_message_are_shown_escaped_to_guest_and_couple(site, name, message):
    item = Item.objects.get(registry=site.registry, unlimited=True)
    guest = Client()
    before = set(Reservation.objects.values_list("pk", flat=True))
    response = guest.post(
        reverse("reservations:reserve", args=[site.registry.slug, item.pk]),
        {"quantity": "1", "guest_name": name, "guest_email": "guest@example.com", "message": message},
    )
    _check(response, "reserve")
    assert response.status_code == 302 or (name, message) != (CLASSIC, HTML[1])
    if response.status_code != 302:
        return
    reservation = Reservation.objects.exclude(pk__in=before).get()
    for client, url in (
        (guest, reservation.get_manage_url()),
        (site.owner, reverse("registries:dashboard", args=[site.registry.slug])),
    ):
        page = client.get(url)
        _check(page, url)
        assert _shown_escaped(page.content.decode(), reservation.guest_name), url


@FUZZ
@given(name=hostile)
@example(name=CLASSIC)
def test_a_couples_name_is_shown_escaped(db, name):
    client = Client()
    email = f"fuzz{User.objects.count()}@example.com"
    response = client.post(
        reverse("accounts:signup"),
        {"name": name, "email": email, "password1": "a long pass phrase", "password2": "a long pass phrase"},
    )
    _check(response, "signup")
    assert response.status_code == 302 or name != CLASSIC, "the classic payload must be saved"
    if response.status_code != 302:
        return
    page = client.get(reverse("accounts:settings"))
    _check(page, "account settings")
    assert _shown_escaped(page.content.decode(), User.objects.get(email=email).name)


@FUZZ
@given(query=hostile)
@example(query=CLASSIC)
def test_search_echoes_the_query_escaped(site, query):
    page = Client().get(reverse("registries:search"), {"q": query})
    _check(page, "search")
    if query == CLASSIC:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.content.decode()


@FUZZ
@given(passphrase=hostile)
def test_a_hostile_passphrase_is_just_wrong(site, passphrase):
    registry = site.other_world.registry
    response = Client().post(
        reverse("registries:passphrase", args=[registry.slug]), {"passphrase": passphrase}
    )
    _check(response, "passphrase")
    assert response.status_code in (200, 429)  # asked again; never let in
