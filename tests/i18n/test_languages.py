"""Whose language a page and a mail speak.

A page follows its reader: their choice in the footer's chooser, else their
browser's Accept-Language, else (on a registry's own pages) the registry's
language, else English. A mail follows its recipient: a guest's the language
they used when they claimed, a couple's the language of their account.
Whatever the catalogs hold, ``<html lang>`` and Content-Language tell which
language was chosen.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from apps.accounts.models import User
from apps.notifications.models import RegistryPreference
from apps.notifications.services import set_owner_mail
from apps.registries.models import Registry
from apps.reservations.models import Reservation
from tests.factories import ItemFactory, RegistryFactory, UserFactory

pytestmark = pytest.mark.django_db

_KEY = re.compile(r'name="key" value="([0-9a-f-]{36})"')


def lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.content.decode())[1]


def html_lang(message) -> str:
    html = next(body for body, kind in message.alternatives if kind == "text/html")
    return re.search(r'<html lang="([^"]+)"', html)[1]


def test_a_page_speaks_the_browser_s_language_else_english(client):
    assert lang(client.get("/", HTTP_ACCEPT_LANGUAGE="de-AT,de;q=0.9,en;q=0.5")) == "de"
    assert lang(client.get("/", HTTP_ACCEPT_LANGUAGE="fr-CH")) == "fr"
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="ja, zh;q=0.8")
    assert lang(response) == "en"
    assert response["Content-Language"] == "en"
    assert "Accept-Language" in response["Vary"]


def test_the_chooser_works_without_javascript_and_wins_over_the_browser(client):
    page = client.get("/pricing/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    form = re.search(
        r'<form class="language-chooser" action="([^"]+)" method="post">(.*?)</form>', page, re.S
    )
    assert form is not None and form[1] == reverse("set_language")
    assert '<option value="es" lang="es">Español</option>' in form[2]
    assert '<button class="btn btn-small btn-secondary" type="submit">' in form[2]
    assert "<script" not in form[2]

    chosen = client.post(form[1], {"language": "es", "next": "/pricing/"}, HTTP_ACCEPT_LANGUAGE="de")

    assert chosen.status_code == 302 and chosen["Location"] == "/pricing/"
    assert lang(client.get("/pricing/", HTTP_ACCEPT_LANGUAGE="de")) == "es"
    assert lang(client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="de")) == "es"


def test_a_registry_s_pages_fall_back_to_its_language(client):
    registry = RegistryFactory(language="fr")
    item = ItemFactory(registry=registry, title="Teapot", quantity=2)
    public = registry.get_absolute_url()
    reserve = reverse("reservations:reserve", args=[registry.slug, item.pk])

    assert lang(client.get(public)) == "fr"  # no Accept-Language at all
    assert lang(client.get(public, HTTP_ACCEPT_LANGUAGE="ja")) == "fr"  # none of ours
    assert lang(client.get(reserve, HTTP_ACCEPT_LANGUAGE="ja")) == "fr"
    assert lang(client.get(public, HTTP_ACCEPT_LANGUAGE="es")) == "es"  # the reader's own first
    assert lang(client.get("/", HTTP_ACCEPT_LANGUAGE="ja")) == "en"  # not a registry's page
    client.post(reverse("set_language"), {"language": "en", "next": public})
    assert lang(client.get(public, HTTP_ACCEPT_LANGUAGE="ja")) == "en"  # the reader's choice


def test_a_guest_s_mails_speak_the_language_they_claimed_in(client):
    couple = UserFactory(language="de")
    registry = RegistryFactory(owners=[couple], language="en")
    set_owner_mail(registry, RegistryPreference.OwnerMail.IMMEDIATELY)
    item = ItemFactory(registry=registry, title="Teapot", quantity=2)
    url = reverse("reservations:reserve", args=[registry.slug, item.pk])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    data = {
        "key": _KEY.search(page.content.decode())[1],
        "guest_name": "Pat",
        "guest_email": "pat@example.com",
    }

    response = client.post(url, {**data, "quantity": "1"}, HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")

    assert response.status_code == 302
    reservation = Reservation.objects.get()
    assert reservation.language == "fr"
    by_address = {message.to[0]: message for message in mail.outbox}
    assert html_lang(by_address["pat@example.com"]) == "fr"
    assert html_lang(by_address[couple.email]) == "de"  # the couple's mail: their account's language

    # Later mails too, whatever the language of the request that causes them.
    mail.outbox.clear()
    manage = client.post(reservation.get_manage_url(), {"action": "cancel"}, HTTP_ACCEPT_LANGUAGE="es")
    assert manage.status_code == 302
    assert [html_lang(m) for m in mail.outbox if m.to == ["pat@example.com"]] == ["fr"]


def test_signing_up_keeps_the_language_and_the_couple_may_change_it(client, password):
    response = client.post(
        reverse("accounts:signup"),
        {"name": "Robin", "email": "robin@example.com", "password1": password, "password2": password},
        HTTP_ACCEPT_LANGUAGE="es",
    )
    assert response.status_code == 302
    user = User.objects.get(email="robin@example.com")
    assert user.language == "es"
    assert html_lang(mail.outbox[-1]) == "es"  # the verification mail

    client.force_login(user)
    settings_page = client.get(reverse("accounts:settings")).content.decode()
    assert 'name="language"' in settings_page
    client.post(reverse("accounts:settings"), {"name": "Robin", "language": "de"})
    user.refresh_from_db()
    assert user.language == "de"
    client.post(reverse("accounts:settings"), {"name": "Robin R."})  # without the field: kept
    user.refresh_from_db()
    assert (user.name, user.language) == ("Robin R.", "de")


def test_a_new_registry_speaks_its_couple_s_language_until_they_choose(couple, client):
    client.force_login(couple)
    form = client.get(reverse("registries:create"), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert re.search(r'<option value="de"[^>]* selected>', form)

    fields = {"partner_one": "Kim", "partner_two": "Lou", "event_date": "2030-06-01", "privacy": "unlisted"}
    client.post(reverse("registries:create"), {**fields, "spoilers": "all"}, HTTP_ACCEPT_LANGUAGE="de")
    registry = Registry.objects.get(partner_one="Kim")
    assert registry.language == "de"

    edit = reverse("registries:edit", args=[registry.slug])
    client.post(edit, {**fields, "spoilers": "all", "slug": registry.slug, "language": "es"})
    registry.refresh_from_db()
    assert registry.language == "es"
