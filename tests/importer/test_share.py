"""importer:share, the manifest's share_target: "Share → Whisper" on a product page (issue 17)."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from apps.importer.models import ImportJob
from tests.factories import RegistryFactory

pytestmark = pytest.mark.django_db

SHARE = "/share/"
LINK = "https://shop.example/teapot?colour=blue"


def _start_with(registry, link: str = LINK) -> str:
    return reverse("importer:start", args=[registry.slug]) + "?" + urlencode({"url": link, "shared": "1"})


def test_a_post_from_the_phone_needs_no_csrf_token_and_only_redirects(owner_client, couple):
    phone = Client(enforce_csrf_checks=True)
    phone.force_login(couple)

    response = phone.post(SHARE, {"title": "Teapot", "text": "", "url": LINK})

    assert response.status_code == 303
    assert response["Location"] == SHARE + "?" + urlencode({"url": LINK})
    assert not ImportJob.objects.exists()  # nothing started by the POST itself


def test_the_link_inside_the_text_is_found(client):
    response = client.post(SHARE, {"title": "Teapot", "text": f"Look at this! {LINK}"})
    assert response["Location"] == SHARE + "?" + urlencode({"url": LINK})


def test_one_registry_opens_its_import_form_filled_in_and_set_to_start(owner_client, registry):
    response = owner_client.get(SHARE, {"url": LINK}, follow=True)

    assert response.redirect_chain == [(_start_with(registry), 302)]
    html = response.content.decode()
    assert f'value="{LINK.replace("&", "&amp;")}"' in html
    assert "data-autosubmit" in html
    assert "/static/js/autosubmit.js" in html
    assert not ImportJob.objects.exists()  # a GET starts nothing; the page's script sends the form


def test_the_import_form_opened_by_hand_is_not_sent_by_itself(owner_client, registry):
    html = owner_client.get(reverse("importer:start", args=[registry.slug]), {"url": LINK}).content.decode()
    assert "data-autosubmit" not in html


def test_not_logged_in_goes_to_login_and_comes_back_to_the_shared_link(client, couple, password, registry):
    response = client.get(SHARE, {"url": LINK})

    assert response.status_code == 302
    login = response["Location"]
    assert login.startswith(reverse("accounts:login") + "?next=")
    after = client.post(login, {"username": couple.email, "password": password}, follow=True)
    assert [url for url, _ in after.redirect_chain] == [
        SHARE + "?" + urlencode({"url": LINK}),
        _start_with(registry),
    ]


def test_several_registries_ask_which_one(owner_client, registry, couple):
    other = RegistryFactory(owners=[couple], partner_one="Kim", partner_two="Lee")

    page = owner_client.get(SHARE, {"url": LINK})

    assert page.status_code == 200
    html = page.content.decode()
    assert "Add it to which registry?" in html
    for each in (registry, other):
        assert _start_with(each).replace("&", "&amp;") in html


def test_no_registry_yet_goes_to_create_one(client, django_user_model):
    user = django_user_model.objects.create_user(email="new@example.com", password="x", email_verified=True)
    client.force_login(user)

    response = client.get(SHARE, {"url": LINK}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("registries:create")
    assert "Create your registry first" in response.content.decode()


def test_nothing_usable_shared_opens_the_empty_form_and_says_so(owner_client, registry):
    response = owner_client.get(SHARE, {"text": "no link in here"}, follow=True)

    assert response.redirect_chain == [(reverse("importer:start", args=[registry.slug]), 302)]
    html = response.content.decode()
    assert "We found no web link in what was shared" in html
    assert "data-autosubmit" not in html
