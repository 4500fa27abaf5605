"""accounts:export — a couple downloads everything: JSON and CSV files in a zip."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.registries.models import Registry
from tests.data.conftest import with_guests
from tests.factories import ItemFactory, RegistryFactory, ReservationFactory, image_file

pytestmark = pytest.mark.django_db

CSV_FILES = {
    "registries.csv",
    "items.csv",
    "reservations.csv",
    "pledges.csv",
    "gifts-bought-elsewhere.csv",
    "orders.csv",
}


def _download(client) -> zipfile.ZipFile:
    response = client.get(reverse("accounts:export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="whisper-export-')
    return zipfile.ZipFile(io.BytesIO(response.content))


def _csv(archive: zipfile.ZipFile, name: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))


@pytest.fixture
def guests(registry):
    registry.set_passphrase("secret words")
    registry.save()
    return with_guests(registry, "alex")


def test_the_couple_downloads_everything(owner_client, couple, registry, guests, other_couple):
    RegistryFactory(slug="jo-and-kim", partner_one="Jo", owners=[other_couple])  # not theirs
    ItemFactory(registry=registry, title="Lamp", image=image_file())

    archive = _download(owner_client)

    assert set(archive.namelist()) == {"whisper-export.json", *CSV_FILES}
    data = json.loads(archive.read("whisper-export.json"))
    assert data["account"]["email"] == couple.email
    assert [r["slug"] for r in data["registries"]] == [registry.slug]
    exported = data["registries"][0]
    assert exported["passphrase_protected"] is True
    assert "secret words" not in archive.read("whisper-export.json").decode()
    assert registry.passphrase_hash not in archive.read("whisper-export.json").decode()
    items = {item["title"]: item for item in exported["items"]}
    assert items["alex teapot"]["reservations"][0]["guest_email"] == "alex@guests.example"
    assert items["alex teapot"]["reserved_count"] == 2
    assert items["alex bicycle"]["pledges"][0]["amount"] == "40.00"
    assert items["Lamp"]["image"].startswith("/media/items/")
    assert exported["gifts_bought_elsewhere"][0]["guest_name"] == "alex Aunt"

    reservations = _csv(archive, "reservations.csv")
    assert [(r["registry"], r["item"], r["guest_name"], r["quantity"]) for r in reservations] == [
        (registry.slug, "alex teapot", "alex Guest", "2")
    ]
    assert _csv(archive, "pledges.csv")[0]["guest_email"] == "alex.g@guests.example"
    assert _csv(archive, "gifts-bought-elsewhere.csv")[0]["description"] == "A vase"
    assert {row["title"] for row in _csv(archive, "items.csv")} == {"alex teapot", "alex bicycle", "Lamp"}
    assert "Jo" not in archive.read("registries.csv").decode("utf-8-sig")


def test_spreadsheet_formulas_from_guests_are_defused(owner_client, registry):
    item = ItemFactory(registry=registry, title="Teapot")
    ReservationFactory(item=item, guest_name='=HYPERLINK("http://evil.example","click")', message="+1")

    row = _csv(_download(owner_client), "reservations.csv")[0]

    assert row["guest_name"].startswith("'=HYPERLINK")
    assert row["message"] == "'+1"


def test_the_spoiler_setting_holds_in_the_export(owner_client, registry, guests):
    Registry.objects.filter(pk=registry.pk).update(spoilers=Registry.Spoilers.NONE)

    archive = _download(owner_client)

    data = json.loads(archive.read("whisper-export.json"))
    exported = data["registries"][0]
    assert exported["guests_hidden_until"] == registry.reveal_date().isoformat()
    assert "reserved_count" not in exported["items"][0]
    assert "alex Guest" not in archive.read("whisper-export.json").decode()
    assert _csv(archive, "reservations.csv") == []


def test_the_export_takes_the_same_queries_for_one_gift_or_many(owner_client, registry):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            _download(owner_client)
        return len(captured)

    item = ItemFactory(registry=registry, price=Decimal("10"))
    ReservationFactory(item=item)
    few = queries()
    for _ in range(8):
        ReservationFactory(item=ItemFactory(registry=registry, quantity=2))
    RegistryFactory(owners=[registry.owners.get()])
    assert queries() == few


def test_only_for_a_logged_in_couple(client):
    response = client.get(reverse("accounts:export"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_account_page_offers_it(owner_client):
    page = owner_client.get(reverse("accounts:settings")).content.decode()
    assert reverse("accounts:export") in page
    assert reverse("accounts:delete") in page
