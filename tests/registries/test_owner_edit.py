"""registries:edit — the couple changes their registry's details."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from apps.payments.models import Order
from apps.registries.models import Registry
from tests.factories import RegistryFactory, image_file

pytestmark = pytest.mark.django_db


def _url(registry) -> str:
    return reverse("registries:edit", args=[registry.slug])


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


def test_the_form_is_filled_in(owner_client, registry):
    response = owner_client.get(_url(registry))

    assert response.status_code == 200
    assert 'value="alex-and-sam"' in response.content.decode()
    assert 'value="Lisbon"' in response.content.decode()


def test_saving_changes_the_registry_and_bumps_its_cache_version(owner_client, registry):
    response = owner_client.post(
        _url(registry), _data(registry, location="Porto", spoilers="counts", welcome_message="Hello")
    )

    stored = Registry.objects.get(pk=registry.pk)
    assert response.status_code == 302
    assert response["Location"] == reverse("registries:dashboard", args=[registry.slug])
    assert stored.location == "Porto"
    assert stored.spoilers == "counts"
    assert stored.welcome_message == "Hello"
    assert stored.cache_version == registry.cache_version + 1


def test_changing_the_slug_moves_the_dashboard(owner_client, registry):
    response = owner_client.post(_url(registry), _data(registry, slug="sam-and-alex"))

    assert response["Location"] == reverse("registries:dashboard", args=["sam-and-alex"])
    assert Registry.objects.get(pk=registry.pk).slug == "sam-and-alex"


def test_a_blank_slug_keeps_the_current_one(owner_client, registry):
    owner_client.post(_url(registry), _data(registry, slug="", partner_two="Kim"))

    stored = Registry.objects.get(pk=registry.pk)
    assert stored.slug == "alex-and-sam"
    assert stored.partner_two == "Kim"


def test_another_registrys_slug_is_refused(owner_client, registry):
    RegistryFactory(slug="taken-already")

    response = owner_client.post(_url(registry), _data(registry, slug="taken-already", location="Porto"))

    assert "Another registry already uses" in response.content.decode()
    stored = Registry.objects.get(pk=registry.pk)
    assert (stored.slug, stored.location, stored.cache_version) == ("alex-and-sam", "Lisbon", 1)


def test_a_reserved_slug_is_refused(owner_client, registry):
    response = owner_client.post(_url(registry), _data(registry, slug="admin"))

    assert "reserved for Whisper" in response.content.decode()
    assert Registry.objects.get(pk=registry.pk).slug == "alex-and-sam"


def test_switching_to_protected_needs_a_passphrase_once(owner_client, registry):
    refused = owner_client.post(_url(registry), _data(registry, privacy="protected"))
    assert "A protected registry needs a passphrase" in refused.content.decode()
    assert Registry.objects.get(pk=registry.pk).privacy == "public"

    owner_client.post(_url(registry), _data(registry, privacy="protected", passphrase="our secret"))
    stored = Registry.objects.get(pk=registry.pk)
    assert stored.privacy == "protected"
    assert stored.check_passphrase("our secret")

    # Later edits keep the passphrase without typing it again.
    owner_client.post(_url(stored), _data(stored, location="Faro"))
    stored = Registry.objects.get(pk=registry.pk)
    assert stored.location == "Faro"
    assert stored.check_passphrase("our secret")


def test_a_too_short_passphrase_is_refused(owner_client, registry):
    response = owner_client.post(_url(registry), _data(registry, privacy="protected", passphrase="abc"))

    assert "at least 4 characters" in response.content.decode()
    assert Registry.objects.get(pk=registry.pk).passphrase_hash == ""


def test_a_new_cover_photo_replaces_the_old_one(owner_client, premium_registry):
    registry = premium_registry
    owner_client.post(_url(registry), _data(registry, cover_photo=image_file("one.png")))
    first = Registry.objects.get(pk=registry.pk).cover_photo.name

    owner_client.post(_url(registry), _data(registry, cover_photo=image_file("two.png")))

    second = Registry.objects.get(pk=registry.pk).cover_photo.name
    assert first.endswith(".png")
    assert second != first
    assert "two" not in second  # stored under a random name (apps.core.uploads)


def test_a_bad_cover_photo_changes_nothing(owner_client, registry):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = owner_client.post(
        _url(registry),
        _data(registry, location="Porto", cover_photo=SimpleUploadedFile("x.gif", b"GIF89a-broken")),
    )

    assert "isn&#x27;t a picture we can read" in response.content.decode()
    stored = Registry.objects.get(pk=registry.pk)
    assert (stored.location, stored.cover_photo.name, stored.cache_version) == ("Lisbon", "", 1)


def test_a_picture_in_an_unusual_format_is_refused(owner_client, registry):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buf, "BMP")

    response = owner_client.post(
        _url(registry), _data(registry, cover_photo=SimpleUploadedFile("cover.png", buf.getvalue()))
    )

    assert "BMP pictures aren&#x27;t supported" in response.content.decode()
    assert Registry.objects.get(pk=registry.pk).cover_photo.name == ""


def test_a_picture_with_an_odd_file_name_is_refused(owner_client, registry):
    response = owner_client.post(_url(registry), _data(registry, cover_photo=image_file("cover.txt")))

    assert "Please upload a JPEG, PNG, GIF or WebP picture (this file ends in “.txt”)" in (
        response.content.decode()
    )
    assert Registry.objects.get(pk=registry.pk).cover_photo.name == ""


def test_premium_offers_the_cover_photo_upload(owner_client, premium_registry):
    html = owner_client.get(_url(premium_registry)).content.decode()

    assert re.search(r'<input type="file" name="cover_photo"[^>]*>', html)
    assert not re.search(r'<input type="file" name="cover_photo"[^>]* disabled', html)
    assert "comes with <strong>Premium</strong>" not in html


def test_free_shows_the_cover_photo_disabled_with_an_upgrade_link(owner_client, registry):
    html = owner_client.get(_url(registry)).content.decode()

    assert re.search(r'<input type="file" name="cover_photo"[^>]* disabled', html)
    assert "A cover photo comes with <strong>Premium</strong>" in html
    assert f'<a href="{reverse("payments:upgrade", args=[registry.slug])}">Upgrade your registry</a>' in html


def test_free_refuses_a_cover_photo_sent_anyway_and_changes_nothing(
    owner_client, registry, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"

    response = owner_client.post(
        _url(registry), _data(registry, location="Porto", cover_photo=image_file("cover.png"))
    )

    assert response.status_code == 200
    assert "A cover photo comes with an upgrade of the registry." in response.content.decode()
    stored = Registry.objects.get(pk=registry.pk)
    assert (stored.location, stored.cover_photo.name, stored.cache_version) == ("Lisbon", "", 1)
    assert not (tmp_path / "media").exists()


def test_after_a_refund_the_cover_stays_and_other_changes_still_save(owner_client, premium_registry):
    registry = premium_registry
    owner_client.post(_url(registry), _data(registry, cover_photo=image_file("one.png")))
    cover = Registry.objects.get(pk=registry.pk).cover_photo.name
    registry.orders.update(status=Order.Status.REFUNDED)

    response = owner_client.post(_url(registry), _data(registry, location="Porto"))

    assert response.status_code == 302
    stored = Registry.objects.get(pk=registry.pk)
    assert (stored.location, stored.cover_photo.name) == ("Porto", cover)
