"""The web app manifest, /robots.txt and /favicon.ico (issue 17: installable)."""

from __future__ import annotations

import json

import pytest
from django.contrib.staticfiles import finders
from django.urls import resolve, reverse
from PIL import Image

pytestmark = pytest.mark.django_db


def test_every_page_links_the_manifest_icons_and_theme_colour(client, owner_client, registry):
    for page in (client.get("/"), client.get(registry.get_absolute_url()), owner_client.get("/registries/")):
        html = page.content.decode()
        assert '<link rel="manifest" href="/manifest.webmanifest">' in html
        assert '<meta name="theme-color" content="#7a3e5d">' in html
        assert 'rel="apple-touch-icon" href="/static/img/apple-touch-icon.png"' in html


def test_the_error_page_links_the_manifest_too(client):
    from django.template.loader import render_to_string

    assert '<link rel="manifest" href="/manifest.webmanifest">' in render_to_string("500.html")


def test_the_manifest_opens_the_couples_registries_standalone_with_every_icon(client):
    response = client.get("/manifest.webmanifest")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json; charset=utf-8"
    assert "public" in response["Cache-Control"]
    manifest = json.loads(response.content)
    assert (manifest["short_name"], manifest["display"]) == ("Whisper", "standalone")
    assert manifest["start_url"] == reverse("registries:mine")
    assert (manifest["theme_color"], manifest["background_color"]) == ("#7a3e5d", "#fbf8f5")
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable"), ("any", "any")} <= sizes
    for icon in manifest["icons"]:
        path = finders.find(icon["src"].removeprefix("/static/"))
        assert path, icon["src"]
        if icon["type"] == "image/png":
            with Image.open(path) as image:
                assert "x".join(map(str, image.size)) == icon["sizes"]


def test_the_share_target_posts_title_text_and_url_to_the_share_page(client):
    target = json.loads(client.get("/manifest.webmanifest").content)["share_target"]

    assert target["method"] == "POST"
    assert target["enctype"] == "application/x-www-form-urlencoded"
    assert target["params"] == {"title": "title", "text": "text", "url": "url"}
    assert resolve(target["action"]).view_name == "importer:share"


def test_the_apple_touch_icon_is_180_pixels_and_opaque():
    with Image.open(finders.find("img/apple-touch-icon.png")) as icon:
        assert icon.size == (180, 180)
        assert icon.convert("RGBA").getextrema()[3][0] == 255  # iOS shows transparency as black


def test_robots_txt_allows_public_pages_and_keeps_private_ones_out(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "max-age=86400" in response["Cache-Control"]
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    for private in (
        "/registries/",
        "/accounts/",
        "/reservations/",
        "/pledges/",
        "/staff/",
        "/admin/",
        "/share/",
    ):
        assert f"Disallow: {private}" in lines
    assert "Allow: /" in lines
    assert not any(line.lower().startswith("sitemap") for line in lines)  # there is none
    for public in ("/", "/r/some-couple/", "/search/", "/pricing/", "/faq/"):
        assert not any(
            public.startswith(line.removeprefix("Disallow: ")) for line in lines if "Disallow" in line
        )


def test_favicon_ico_answers_with_an_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert "public" in response["Cache-Control"]
    assert response.content[:4] == b"\x00\x00\x01\x00"  # the ICO signature
    with open(finders.find("img/favicon.ico"), "rb") as icon:
        assert response.content == icon.read()
