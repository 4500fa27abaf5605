"""Thumbnails made in the worker (apps.core.thumbnails) when a picture is
uploaded or imported, so that the first guest's page does no image processing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from sorl.thumbnail.base import ThumbnailBackend

from apps.core import thumbnails
from apps.core.thumbnails import make_thumbnails_of
from apps.items import services as item_services
from apps.items.models import Item
from apps.registries import services as registry_services
from tests.caching.helpers import public_url
from tests.factories import ItemFactory, image_file

TEMPLATES = Path(settings.BASE_DIR) / "templates"
THUMBNAIL_TAG = re.compile(r'{%\s*thumbnail\s+\S+\s+"(\d+x\d+)"([^%]*)%}')
# {% load thumbnails %}'s filter: always cropped to the centre.
THUMBNAIL_FILTER = re.compile(r'\|thumbnail:"(\d+x\d+)"')


def _thumbnails() -> list[Path]:
    return sorted((Path(settings.MEDIA_ROOT) / "cache").rglob("*.jpg"))


def test_the_settings_list_every_size_the_templates_show():
    shown = {}
    for template in TEMPLATES.rglob("*.html"):
        for geometry, options in THUMBNAIL_TAG.findall(template.read_text()):
            shown[geometry] = options.strip()
        for geometry in THUMBNAIL_FILTER.findall(template.read_text()):
            shown[geometry] = 'crop="center"'
    made = {geometry for sizes in settings.WHISPER_THUMBNAILS.values() for geometry in sizes}
    assert shown  # the pattern still finds the tags
    assert set(shown) <= made
    assert all(options.startswith('crop="center"') for options in shown.values()), shown


def test_uploading_a_picture_makes_its_thumbnails(owner_client, registry, django_capture_on_commit_callbacks):
    data = {"title": "Lamp", "price": "40.00", "currency": "USD", "quantity": "1", "priority": "2"}
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            reverse("items:add", args=[registry.slug]), {**data, "image": image_file("lamp.png", (800, 600))}
        )
    assert response.status_code == 302

    thumbnails = _thumbnails()
    assert len(thumbnails) == len(settings.WHISPER_THUMBNAILS["item"])


def test_the_first_guest_does_no_image_processing(registry, django_capture_on_commit_callbacks, monkeypatch):
    with django_capture_on_commit_callbacks(execute=True):
        lamp = item_services.add_item(registry, Item(title="Lamp", image=image_file("lamp.png", (800, 600))))

    def no_pillow(*args, **kwargs):
        raise AssertionError("a thumbnail was made during the page view")

    monkeypatch.setattr(ThumbnailBackend, "_create_thumbnail", no_pillow)
    with CaptureQueriesContext(connection) as queries:
        response = Client().get(public_url(registry))

    assert response.status_code == 200
    card = response.content.decode().split(f'id="item-{lamp.pk}"')[1]
    assert 'class="item-card__image" src="/media/cache/' in card
    assert not [q for q in queries.captured_queries if "thumbnail_kvstore" in q["sql"]]


def test_the_row_keeps_its_thumbnails_and_the_page_asks_sorl_nothing(
    registry, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks(execute=True):
        lamp = item_services.add_item(registry, Item(title="Lamp", image=image_file("lamp.png", (800, 600))))
    lamp.refresh_from_db()
    assert lamp.image_thumbnails["name"] == lamp.image.name
    assert set(lamp.image_thumbnails["sizes"]) == set(settings.WHISPER_THUMBNAILS["item"])

    asked = []
    real = thumbnails.get_thumbnail
    monkeypatch.setattr(thumbnails, "get_thumbnail", lambda *a, **k: asked.append(a) or real(*a, **k))
    card = Client().get(public_url(registry)).content.decode().split(f'id="item-{lamp.pk}"')[1]

    name, width, height = lamp.image_thumbnails["sizes"]["480x360"]
    assert f'src="{settings.MEDIA_URL}{name}" width="{width}" height="{height}"' in card
    assert asked == []


def test_a_picture_changed_since_is_looked_up_in_sorl(registry, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        lamp = item_services.add_item(registry, Item(title="Lamp", image=image_file("lamp.png", (800, 600))))
    lamp.refresh_from_db()
    kept = lamp.image_thumbnails["sizes"]["480x360"][0]
    # A new picture whose thumbnails the worker has not made yet: the row still holds the old ones.
    other = ItemFactory(registry=registry, image=image_file("new.png"), hidden=True)
    Item.objects.filter(pk=lamp.pk).update(image=other.image.name)

    card = Client().get(public_url(registry)).content.decode().split(f'id="item-{lamp.pk}"')[1]

    assert 'class="item-card__image" src="/media/cache/' in card
    assert kept not in card


def test_an_imported_picture_gets_thumbnails_too(registry, django_capture_on_commit_callbacks):
    picture = image_file("import.jpg", (640, 480), fmt="JPEG").read()
    with django_capture_on_commit_callbacks(execute=True):
        # What the importer's prefill hands the service: an unsaved file.
        item_services.add_item(registry, Item(title="Kettle", image=ContentFile(picture, name="k.jpg")))

    assert len(_thumbnails()) == len(settings.WHISPER_THUMBNAILS["item"])


def test_a_new_cover_photo_gets_its_thumbnails(premium_registry, django_capture_on_commit_callbacks):
    registry = premium_registry
    registry.cover_photo = image_file("cover.png", (2000, 1200))
    with django_capture_on_commit_callbacks(execute=True):
        registry_services.update_registry(registry)

    assert len(_thumbnails()) == len(settings.WHISPER_THUMBNAILS["cover"])


def test_only_a_new_picture_is_queued(registry, django_capture_on_commit_callbacks, monkeypatch):
    lamp = ItemFactory(registry=registry, image=image_file("lamp.png"))
    queued = []
    monkeypatch.setattr(thumbnails.make_thumbnails, "delay", lambda *args: queued.append(args))
    lamp = Item.objects.get(pk=lamp.pk)
    lamp.title = "Brass lamp"

    with django_capture_on_commit_callbacks(execute=True):
        item_services.update_item(lamp)
    assert queued == []

    lamp.image = image_file("new.png")
    with django_capture_on_commit_callbacks(execute=True):
        item_services.update_item(lamp)
    assert queued == [("items.Item", lamp.pk, "image", "item")]


def test_a_failed_save_queues_nothing(registry, django_capture_on_commit_callbacks, monkeypatch):
    queued = []
    monkeypatch.setattr(thumbnails.make_thumbnails, "delay", lambda *args: queued.append(args))
    monkeypatch.setattr(Item, "save", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("disk full")))

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        item_services.add_item(registry, Item(title="Lamp", image=image_file("lamp.png")))
    assert queued == []


def test_the_task_does_nothing_for_a_gift_that_is_gone(db):
    thumbnails.make_thumbnails("items.Item", 987654, "image", "item")  # no error
    assert _thumbnails() == []


def test_thumbnails_whose_files_are_gone_are_made_again(registry):
    item = ItemFactory(registry=registry, image=image_file("lamp.jpg"))
    urls = make_thumbnails_of(item.image, "item")
    made = _thumbnails()
    assert len(made) == len(settings.WHISPER_THUMBNAILS["item"])
    for path in made:  # a wiped media folder: sorl still knows them
        path.unlink()

    again = make_thumbnails_of(item.image, "item")

    assert again == urls  # the same addresses, which cached pages already link to
    assert _thumbnails() == made
