"""registries:create — a couple creates a registry."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from apps.registries.models import Registry
from tests.factories import RegistryFactory, UserFactory, image_file

pytestmark = pytest.mark.django_db

URL = reverse("registries:create")


def _data(**overrides) -> dict:
    data = {
        "partner_one": "Alex",
        "partner_two": "Sam",
        "event_date": "2031-06-14",
        "location": "Lisbon",
        "welcome_message": "Thank you!",
        "slug": "",
        "privacy": "unlisted",
        "passphrase": "",
        "spoilers": "all",
    }
    data.update(overrides)
    return data


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_unverified_couples_are_asked_to_verify_first(client):
    client.force_login(UserFactory(email_verified=False))

    response = client.post(URL, _data())

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:verify_sent")
    assert not Registry.objects.exists()


def test_the_form_shows_every_field(owner_client):
    response = owner_client.get(URL)

    assert response.status_code == 200
    for name in ("partner_one", "partner_two", "event_date", "cover_photo", "slug", "privacy", "passphrase"):
        assert f'name="{name}"' in response.content.decode()
    assert 'enctype="multipart/form-data"' in response.content.decode()


def test_creating_a_registry_makes_the_couple_its_owner(owner_client, couple):
    response = owner_client.post(URL, _data())

    registry = Registry.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("registries:dashboard", args=["alex-and-sam"])
    assert registry.slug == "alex-and-sam"
    assert list(registry.owners.all()) == [couple]
    assert registry.event_date == datetime.date(2031, 6, 14)
    assert registry.privacy == "unlisted"
    assert registry.cover_photo.name == ""


def test_a_new_registry_is_free_so_the_cover_photo_is_offered_with_premium(owner_client):
    html = owner_client.get(URL).content.decode()

    assert re.search(r'<input type="file" name="cover_photo"[^>]* disabled', html)
    assert "A cover photo comes with <strong>Premium</strong>" in html
    assert f'<a href="{reverse("pages:pricing")}">upgrade it</a>' in html


def test_a_cover_photo_sent_anyway_is_refused_and_nothing_is_created(owner_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"

    response = owner_client.post(URL, _data(cover_photo=image_file("cover.jpg", fmt="JPEG")))

    assert response.status_code == 200
    assert "A cover photo comes with an upgrade of the registry." in response.content.decode()
    assert not Registry.objects.exists()
    assert not (tmp_path / "media").exists()


def test_a_protected_free_registry_can_be_created(owner_client):
    # Guests' privacy is never a paid feature.
    response = owner_client.post(URL, _data(privacy="protected", passphrase="blue-lagoon"))

    assert response.status_code == 302
    assert Registry.objects.get().privacy == "protected"


def test_a_blank_slug_gets_a_suffix_when_the_names_are_taken(owner_client):
    RegistryFactory(slug="alex-and-sam")

    owner_client.post(URL, _data())

    assert Registry.objects.filter(slug="alex-and-sam-2").exists()


def test_a_chosen_slug_is_kept(owner_client):
    owner_client.post(URL, _data(slug="Our-Big-Day"))

    assert Registry.objects.get().slug == "our-big-day"


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("admin", "reserved for Whisper"),
        ("search", "reserved for Whisper"),
        ("alex--sam", "Use lowercase letters, digits and single hyphens"),
        ("-alex", "Use lowercase letters, digits and single hyphens"),
        ("alex_sam", "Use lowercase letters, digits and single hyphens"),
        ("alex & sam", "Use lowercase letters, digits and single hyphens"),
        ("x" * 61, "at most 60 characters"),
    ],
)
def test_bad_slugs_are_refused_with_a_message(owner_client, slug, message):
    response = owner_client.post(URL, _data(slug=slug))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Registry.objects.exists()


def test_a_slug_in_use_is_refused(owner_client):
    RegistryFactory(slug="our-day")

    response = owner_client.post(URL, _data(slug="our-day"))

    assert "Another registry already uses" in response.content.decode()
    assert Registry.objects.count() == 1


def test_a_protected_registry_needs_a_passphrase(owner_client):
    response = owner_client.post(URL, _data(privacy="protected"))

    assert "A protected registry needs a passphrase" in response.content.decode()
    assert not Registry.objects.exists()


def test_the_passphrase_is_stored_hashed_and_never_shown_back(owner_client):
    owner_client.post(URL, _data(privacy="protected", passphrase="blue-lagoon"))
    registry = Registry.objects.get()

    assert registry.check_passphrase("blue-lagoon")
    edit = owner_client.get(reverse("registries:edit", args=[registry.slug]))
    assert "blue-lagoon" not in edit.content.decode()
    assert registry.passphrase_hash not in edit.content.decode()


def test_a_text_file_is_not_a_cover_photo(owner_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("cover.png", b"<?php echo 'not a picture'; ?>", content_type="image/png")

    response = owner_client.post(URL, _data(cover_photo=fake))

    assert "isn&#x27;t a picture we can read" in response.content.decode()
    assert not Registry.objects.exists()


def test_an_oversized_cover_photo_is_refused(owner_client, settings):
    settings.WHISPER_MAX_IMAGE_BYTES = 1000
    big = image_file("cover.png", size=(400, 400), color="#123456")
    assert big.size > 1000

    response = owner_client.post(URL, _data(cover_photo=big))

    assert "the limit is 1000" in response.content.decode()
    assert not Registry.objects.exists()


@pytest.mark.parametrize("date", ["1999-12-31", "9999-12-31", "not a date", ""])
def test_an_absurd_event_date_is_refused(owner_client, date):
    response = owner_client.post(URL, _data(event_date=date))

    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()
    assert not Registry.objects.exists()


def test_html_in_the_names_comes_back_escaped(owner_client):
    owner_client.post(URL, _data(partner_one="<script>alert(1)</script>"))
    registry = Registry.objects.get()

    response = owner_client.get(reverse("registries:dashboard", args=[registry.slug]))

    assert "<script>alert(1)</script>" not in response.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.content.decode()
    assert registry.slug == "scriptalert1script-and-sam"


def test_the_form_fills_in_the_name_given_at_signup(client):
    """Rough edge 11: the couple told us their name at signup; the form starts with it."""
    couple = UserFactory(name="Robin Quill")
    client.force_login(couple)

    html = client.get(URL).content.decode()

    assert 'name="partner_one" value="Robin Quill"' in html


def test_the_designed_headers_are_offered_with_a_preview(owner_client):
    html = owner_client.get(URL).content.decode()

    for header in ("blush", "sage", "dusk", "confetti", "linen"):
        assert f'value="{header}"' in html
        assert f'class="hero hero--{header}"' in html
    response = owner_client.post(URL, _data(header="dusk"))
    assert response.status_code == 302
    registry = Registry.objects.get(partner_one="Alex")
    assert registry.header == "dusk"
    assert 'class="hero hero--dusk"' in owner_client.get(registry.get_absolute_url()).content.decode()
