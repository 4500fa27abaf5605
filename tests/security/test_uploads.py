"""Pictures couples upload (apps.core.uploads): capped, checked, re-encoded,
stripped of EXIF, stored under random names; and a protected registry's
pictures and gifts appear nowhere a guest without the passphrase can look.
"""

from __future__ import annotations

import dataclasses
import io
import os
import re
import struct
import zlib
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from PIL import ExifTags, Image

from apps.items.models import Item
from tests.factories import image_file
from tests.security.crawl import visit

pytestmark = pytest.mark.django_db

RANDOM_NAME = re.compile(r"^[0-9a-f]{32}\.(jpg|png|webp)$")


def _media_files() -> set[Path]:
    root = Path(settings.MEDIA_ROOT)
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def _gift(**changes) -> dict:
    data = {
        "title": "Espresso machine",
        "description": "",
        "price": "249.99",
        "currency": "EUR",
        "quantity": "1",
        "store_url": "",
        "priority": Item.Priority.WOULD_LOVE,
        "category": "",
        "note": "",
    }
    data.update(changes)
    return data


def _add(client, registry, upload):
    return client.post(reverse("items:add", args=[registry.slug]), _gift(image=upload))


def _refused(response, message: str, before: set[Path]) -> None:
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Item.objects.filter(title="Espresso machine").exists()
    assert _media_files() == before  # nothing stored


def png_bomb(width: int, height: int) -> bytes:
    """A real, valid 1-bit PNG of ``width`` × ``height`` blank pixels: a few kilobytes on disk."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    row = b"\x00" + b"\x00" * ((width + 7) // 8)  # filter byte + the row's bits
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1 bit, greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def jpeg_with_gps() -> bytes:
    picture = Image.new("RGB", (120, 80), "#c06")
    exif = picture.getexif()
    exif[ExifTags.Base.Make] = "WhisperPhone"
    exif[ExifTags.Base.Orientation] = 6  # taken sideways
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (38.0, 42.0, 36.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (9.0, 8.0, 24.0)
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif)
    return out.getvalue()


# Refused ----------------------------------------------------------------------
def test_an_oversized_picture_is_refused_with_its_size(owner_client, registry):
    before = _media_files()
    with override_settings(WHISPER_MAX_IMAGE_BYTES=1000):
        buf = io.BytesIO()
        Image.frombytes("RGB", (40, 40), os.urandom(40 * 40 * 3)).save(buf, "PNG")  # noise: no compression
        upload = SimpleUploadedFile("big.png", buf.getvalue(), "image/png")
        assert upload.size > 1000
        response = _add(owner_client, registry, upload)
    _refused(response, "the limit is 1000", before)


def test_a_text_file_named_jpg_is_refused(owner_client, registry):
    before = _media_files()
    upload = SimpleUploadedFile("holiday.jpg", b"<html><script>alert(1)</script></html>", "image/jpeg")
    _refused(_add(owner_client, registry, upload), "isn&#x27;t a picture we can read", before)


@pytest.mark.parametrize(
    ("width", "height", "message"),
    [
        (20_000, 20_000, "far too large in pixels"),  # Pillow's own bomb guard
        (8_000, 8_000, "8000 × 8000 pixels"),  # ours: over 50 megapixels
    ],
)
def test_a_decompression_bomb_is_refused_before_it_is_decoded(owner_client, registry, width, height, message):
    bomb = png_bomb(width, height)
    assert len(bomb) < 200_000  # a small file…
    assert struct.unpack(">II", bomb[16:24]) == (width, height)  # …whose header declares that canvas
    before = _media_files()
    _refused(_add(owner_client, registry, SimpleUploadedFile("cat.png", bomb, "image/png")), message, before)


# Stored clean ------------------------------------------------------------------
def test_exif_and_gps_are_stripped_and_the_picture_stands_upright(owner_client, registry):
    original = jpeg_with_gps()
    with Image.open(io.BytesIO(original)) as source:  # the upload really carries them
        assert source.getexif().get_ifd(ExifTags.IFD.GPSInfo)
    response = _add(owner_client, registry, SimpleUploadedFile("IMG_2041.jpg", original, "image/jpeg"))
    assert response.status_code == 302
    with Item.objects.get(title="Espresso machine").image.open("rb") as stored:
        data = stored.read()
    with Image.open(io.BytesIO(data)) as picture:
        assert picture.format == "JPEG"
        assert dict(picture.getexif()) == {}
        assert "exif" not in picture.info
        assert picture.size == (80, 120)  # the orientation was applied before the EXIF went
    assert b"WhisperPhone" not in data
    assert b"Exif" not in data


def test_stored_names_are_random_not_the_uploaded_ones(owner_client, registry):
    for _ in range(2):
        assert _add(owner_client, registry, image_file("our-address-42-main-street.png")).status_code == 302
        Item.objects.filter(title="Espresso machine").update(title="Stored")
    names = [Path(name).name for name in Item.objects.filter(title="Stored").values_list("image", flat=True)]
    assert len(names) == 2 and names[0] != names[1]
    for name in names:
        assert RANDOM_NAME.match(name), name
        assert "main-street" not in name


def test_anything_hidden_after_the_picture_is_dropped(owner_client, registry):
    buf = io.BytesIO()
    Image.new("RGB", (40, 40), "#fff").save(buf, "PNG")
    polyglot = buf.getvalue() + b"<script>alert(document.cookie)</script>"
    assert _add(owner_client, registry, SimpleUploadedFile("p.png", polyglot, "image/png")).status_code == 302
    with Item.objects.get(title="Espresso machine").image.open("rb") as stored:
        assert b"<script>" not in stored.read()


# A protected registry leaks nothing ------------------------------------------------
def test_a_protected_registrys_gifts_and_pictures_appear_nowhere_before_the_passphrase(site):
    protected = site.other_world.registry
    item = site.other_world.objects["item"]
    # Its couple looks at it: the thumbnails exist now.
    page = site.other.get(reverse("registries:public", args=[protected.slug]))
    assert page.status_code == 200
    thumbnails = [img["src"] for img in BeautifulSoup(page.content, "html.parser").find_all("img")]
    assert thumbnails, "the couple sees their gifts' pictures"
    secrets = [item.title, Path(item.image.name).name, *thumbnails, "jo card", "jo bicycle"]

    stranger = Client()
    seen = visit(stranger, site.world, owner_side=False).pages  # every guest page of another registry
    # …and every guest page at this one's address, without a guest's own links.
    seen |= visit(stranger, dataclasses.replace(site.other_world, tokens={}), owner_side=False).pages
    seen["search"] = stranger.get(reverse("registries:search"), {"q": "Jo Kim"}).content.decode()
    seen["search item"] = stranger.get(reverse("registries:search"), {"q": "teapot"}).content.decode()
    assert seen
    for url, html in seen.items():
        for secret in secrets:
            assert secret not in html, f"{url} shows {secret!r}"
    assert "jo-and-kim" not in seen["search"]

    door = stranger.get(reverse("registries:public", args=[protected.slug]))
    assert door.status_code == 302
    assert door["Location"].startswith(reverse("registries:passphrase", args=[protected.slug]))
    # Its gifts, reached through another registry's address: not found.
    reserve = stranger.get(reverse("reservations:reserve", args=[site.registry.slug, item.pk]))
    assert reserve.status_code == 404


def test_the_protected_registry_is_not_in_search_even_by_exact_names(site):
    response = Client().get(reverse("registries:search"), {"q": "Jo Kim"})
    assert response.status_code == 200
    assert "Jo &amp; Kim" not in response.content.decode()
    site.other_world.registry.privacy = "public"  # the same search finds it once it is public
    site.other_world.registry.save()
    assert "Jo &amp; Kim" in Client().get(reverse("registries:search"), {"q": "Jo Kim"}).content.decode()
