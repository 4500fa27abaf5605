"""Sharing a registry: the dashboard's panel, the share card, the QR code and the link preview."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from html import unescape

import segno
from django.conf import settings
from django.urls import reverse
from PIL import Image

from apps.registries.models import Registry
from tests.factories import image_file

SVG = "{http://www.w3.org/2000/svg}svg"


def _og(html: str) -> dict[str, str]:
    """The page's Open Graph and Twitter tags, as a link preview reads them."""
    tags = re.findall(r'<meta (?:property|name)="((?:og|twitter):[^"]+)" content="([^"]*)"', html)
    return {name: unescape(value) for name, value in tags}


def _protect(registry: Registry) -> Registry:
    registry.privacy = Registry.Privacy.PROTECTED
    registry.set_passphrase("lisbon")
    registry.save()
    return registry


# The dashboard's panel ---------------------------------------------------------
def test_the_dashboard_panel_has_the_address_to_copy_and_the_links(owner_client, registry):
    html = owner_client.get(reverse("registries:dashboard", args=[registry.slug])).content.decode()
    url = settings.SITE_URL.rstrip("/") + "/r/alex-and-sam/"

    field = re.search(r'<input id="share-url"[^>]*>', html).group(0)
    assert f'value="{url}"' in field and "readonly" in field
    # "Copy the link" posts to mark the checklist's step (copying first with JavaScript).
    form = re.search(r'<form method="post" action="/registries/alex-and-sam/shared/"[^>]*data-copy>', html)
    assert form and ">Copy the link</button>" in html
    assert 'href="/registries/alex-and-sam/share/"' in html
    assert 'href="/r/alex-and-sam/qr.svg"' in html


# The share card ------------------------------------------------------------------
def test_the_share_card_shows_names_date_address_and_qr(owner_client, registry):
    response = owner_client.get(reverse("registries:share", args=[registry.slug]))
    html = response.content.decode()

    assert response.status_code == 200
    assert f"{registry.partner_one} &amp; {registry.partner_two}" in html
    assert registry.event_date.strftime("%Y-%m-%d") in html
    assert settings.SITE_URL.rstrip("/") + "/r/alex-and-sam/" in html
    assert '<img class="share-card__qr" src="/r/alex-and-sam/qr.svg"' in html
    assert response["X-Robots-Tag"] == "noindex"


def test_the_share_card_is_for_the_owners_only(client, other_client, registry):
    url = reverse("registries:share", args=[registry.slug])
    assert other_client.get(url).status_code == 404
    assert client.get(url).status_code == 302  # to the login page
    assert "/accounts/login/" in client.get(url)["Location"]


# The QR code ------------------------------------------------------------------------
def test_the_qr_code_is_segnos_svg_of_the_public_address(client, registry):
    response = client.get(reverse("registries:qr", args=[registry.slug]))
    url = settings.SITE_URL.rstrip("/") + "/r/alex-and-sam/"
    expected = io.BytesIO()
    segno.make(url, error="m").save(expected, kind="svg", scale=8, border=2, xmldecl=False, dark="#2b2230")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert ET.fromstring(response.content).tag == SVG  # noqa: S314 (our own SVG): well-formed
    assert response.content == expected.getvalue()
    assert "public" in response["Cache-Control"]
    assert client.get(response.wsgi_request.path, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_a_protected_registrys_qr_code_encodes_only_its_address(client, registry):
    _protect(registry)
    response = client.get(reverse("registries:qr", args=[registry.slug]))

    assert response.status_code == 200
    assert b"Alex" not in response.content and b"Sam" not in response.content
    assert client.get("/r/no-such-registry/qr.svg").status_code == 404


# The preview card's picture ----------------------------------------------------------------
def test_the_card_picture_is_a_1200_by_630_png(client, registry):
    response = client.get(reverse("registries:card", args=[registry.slug]))

    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(response.content)).size == (1200, 630)


def test_a_protected_registrys_card_picture_is_another_one(client, registry):
    public = client.get(reverse("registries:card", args=[registry.slug])).content
    _protect(registry)
    protected = client.get(reverse("registries:card", args=[registry.slug])).content

    assert Image.open(io.BytesIO(protected)).size == (1200, 630)
    assert protected != public


def test_the_card_picture_uses_the_cover_photo(client, registry):
    plain = client.get(reverse("registries:card", args=[registry.slug])).content
    registry.cover_photo = image_file("cover.png", size=(1600, 900), color=(20, 120, 60))
    registry.save()
    registry.bump_version()

    photo = Image.open(io.BytesIO(client.get(reverse("registries:card", args=[registry.slug])).content))
    assert photo.size == (1200, 630)
    # The corner is the (darkened) green of the photo, not the plain card's paper.
    red, green, blue = photo.convert("RGB").getpixel((5, 5))
    assert green > red and green > blue
    assert photo.tobytes() != Image.open(io.BytesIO(plain)).tobytes()


# Open Graph and Twitter tags ----------------------------------------------------------
def test_a_public_registry_has_its_preview_tags(client, registry):
    registry.location = "Lisbon"
    registry.save()
    html = client.get(reverse("registries:public", args=[registry.slug])).content.decode()
    tags = _og(html)
    site = settings.SITE_URL.rstrip("/")

    assert tags["og:title"] == f"{registry.partner_one} & {registry.partner_two}'s gift registry"
    assert registry.event_date.strftime("%-d %B %Y") in tags["og:description"]
    assert "Lisbon" in tags["og:description"]
    assert tags["og:url"] == f"{site}/r/alex-and-sam/"
    assert tags["og:image"].startswith(f"{site}/r/alex-and-sam/card.png?v=")
    assert (tags["og:image:width"], tags["og:image:height"]) == ("1200", "630")
    assert tags["twitter:card"] == "summary_large_image"
    assert tags["twitter:title"] == tags["og:title"]
    assert '<meta name="robots" content="noindex">' not in html


def test_a_changed_registry_changes_its_preview(client, registry):
    url = reverse("registries:public", args=[registry.slug])
    before = _og(client.get(url).content.decode())["og:image"]
    registry.partner_two = "Samira"
    registry.save()
    registry.bump_version()

    after = _og(client.get(url).content.decode())
    assert "Samira" in after["og:title"] and after["og:image"] != before


def test_a_protected_registry_reveals_nothing_before_the_passphrase(client, registry):
    registry.cover_photo = image_file("cover.png")
    registry.partner_one, registry.partner_two, registry.location = "Zebulon", "Quillon", "Reykjavik"
    _protect(registry)

    response = client.get(reverse("registries:public", args=[registry.slug]), follow=True)
    html = response.content.decode()
    tags = _og(html)

    assert response.redirect_chain[-1][0].startswith("/r/alex-and-sam/passphrase/")
    for secret in (
        "Zebulon",
        "Quillon",
        "Reykjavik",
        "covers/",
        registry.event_date.strftime("%Y"),
        registry.event_date.strftime("%B"),
    ):
        assert secret not in html, secret
    assert tags["og:title"] == "A private gift registry on Whisper"
    assert tags["og:image"].startswith(settings.SITE_URL.rstrip("/") + "/r/alex-and-sam/card.png")
    assert '<meta name="robots" content="noindex">' in html


def test_an_unlisted_registry_keeps_noindex(client, registry):
    registry.privacy = Registry.Privacy.UNLISTED
    registry.save()
    response = client.get(reverse("registries:public", args=[registry.slug]))
    html = response.content.decode()

    assert '<meta name="robots" content="noindex">' in html
    assert response["X-Robots-Tag"] == "noindex"
    assert _og(html)["og:title"].startswith(registry.partner_one)
