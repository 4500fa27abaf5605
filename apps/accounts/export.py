"""Everything Whisper keeps for a couple's account, as one zip: JSON and CSV files.

``whisper-export.json`` holds it all, nested (the account, each registry with
its gifts, orders, and what guests gave); the CSV files hold the same rows
flat, for a spreadsheet: ``registries.csv``, ``items.csv``,
``reservations.csv``, ``pledges.csv``, ``gifts-bought-elsewhere.csv`` and
``orders.csv``.

What guests gave follows the registry's spoiler setting, as the dashboard
does: with "counts only" the export has the counts but not who reserved
what, and with "nothing until after the event" not even the counts — both
until the day after the event. A constant number of queries, whatever the
number of registries, gifts and guests.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import zipfile
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from apps.payments.models import Order
from apps.registries.models import Registry
from apps.registries.views.owner import csv_safe
from apps.reservations.models import OffRegistryGift, Pledge, Reservation

from .models import User

JSON_NAME = "whisper-export.json"

ITEM_FIELDS = [
    "title",
    "description",
    "price",
    "currency",
    "quantity",
    "unlimited",
    "group_gift",
    "received_elsewhere",
    "store_url",
    "priority",
    "category",
    "note",
    "hidden",
    "position",
    "created_at",
]
RESERVATION_FIELDS = [
    "guest_name",
    "guest_email",
    "quantity",
    "message",
    "created_at",
    "bought_at",
    "cancelled_at",
    "thanked",
]
PLEDGE_FIELDS = ["guest_name", "guest_email", "amount", "message", "created_at", "cancelled_at", "thanked"]
GIFT_FIELDS = [
    "guest_name",
    "guest_email",
    "description",
    "amount",
    "currency",
    "message",
    "created_at",
    "thanked",
]
REGISTRY_FIELDS = [
    "slug",
    "partner_one",
    "partner_two",
    "event_date",
    "location",
    "welcome_message",
    "privacy",
    "spoilers",
    "pledge_instructions",
    "created_at",
]
ORDER_FIELDS = ["invoice", "amount", "currency", "status", "created_at", "paid_at"]


def filename(user: User, today: datetime.date | None = None) -> str:
    """The name the browser saves the zip under.

    >>> filename(None, datetime.date(2026, 5, 1))
    'whisper-export-2026-05-01.zip'
    """
    return f"whisper-export-{(today or timezone.localdate()).isoformat()}.zip"


def build(user: User) -> bytes:
    """The zip of everything ``user``'s account holds."""
    data = collect(user)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(JSON_NAME, json.dumps(data, indent=2, ensure_ascii=False, default=_json_value))
        for name, rows in _flat(data).items():
            archive.writestr(name, _csv(rows))
    return out.getvalue()


def collect(user: User) -> dict[str, Any]:
    """The export as plain data (what ``whisper-export.json`` holds)."""
    registries = (
        Registry.objects.filter(owners=user)
        .order_by("created_at", "pk")
        .prefetch_related(
            "owners",
            "items",
            Prefetch("items__reservations", queryset=Reservation.objects.order_by("created_at", "pk")),
            Prefetch("items__pledges", queryset=Pledge.objects.order_by("created_at", "pk")),
            Prefetch("off_registry_gifts", queryset=OffRegistryGift.objects.order_by("created_at", "pk")),
            Prefetch("orders", queryset=Order.objects.select_related("plan").order_by("created_at", "pk")),
        )
    )
    return {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "name": user.name,
            "email_verified": user.email_verified,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
        },
        "registries": [_registry(registry, user) for registry in registries],
    }


def _registry(registry: Registry, user: User) -> dict[str, Any]:
    view = registry.owner_view()
    row = _fields(registry, REGISTRY_FIELDS)
    row["public_url"] = registry.get_absolute_url()
    row["cover_photo"] = registry.cover_photo.url if registry.cover_photo else ""
    row["passphrase_protected"] = bool(registry.passphrase_hash)
    row["other_owners"] = [owner.email for owner in registry.owners.all() if owner.pk != user.pk]
    row["orders"] = [
        {**_fields(order, ORDER_FIELDS), "plan": order.plan.name} for order in registry.orders.all()
    ]
    items = []
    for item in registry.items.all():
        entry = _fields(item, ITEM_FIELDS)
        entry["image"] = item.image.url if item.image else ""
        if view != Registry.Spoilers.NONE:
            entry["reserved_count"] = item.reserved_count
            entry["pledged_total"] = item.pledged_total
        if view == Registry.Spoilers.ALL:
            entry["reservations"] = [_fields(r, RESERVATION_FIELDS) for r in item.reservations.all()]
            entry["pledges"] = [_fields(p, PLEDGE_FIELDS) for p in item.pledges.all()]
        items.append(entry)
    row["items"] = items
    if view == Registry.Spoilers.ALL:
        row["gifts_bought_elsewhere"] = [_fields(g, GIFT_FIELDS) for g in registry.off_registry_gifts.all()]
    else:
        row["guests_hidden_until"] = registry.reveal_date()
    return row


def _fields(obj, names: list[str]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in names}


def _flat(data: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The CSV files: one row per registry, gift, reservation, pledge, gift bought elsewhere, order."""
    files: dict[str, list[dict[str, Any]]] = {
        "registries.csv": [],
        "items.csv": [],
        "reservations.csv": [],
        "pledges.csv": [],
        "gifts-bought-elsewhere.csv": [],
        "orders.csv": [],
    }
    for registry in data["registries"]:
        slug = registry["slug"]
        files["registries.csv"].append(
            {k: v for k, v in registry.items() if k not in ("items", "orders", "gifts_bought_elsewhere")}
            | {"other_owners": " ".join(registry["other_owners"])}
        )
        files["orders.csv"] += [{"registry": slug, **order} for order in registry["orders"]]
        files["gifts-bought-elsewhere.csv"] += [
            {"registry": slug, **gift} for gift in registry.get("gifts_bought_elsewhere", [])
        ]
        for item in registry["items"]:
            files["items.csv"].append(
                {"registry": slug, **{k: v for k, v in item.items() if k not in ("reservations", "pledges")}}
            )
            for kind in ("reservations", "pledges"):
                files[f"{kind}.csv"] += [
                    {"registry": slug, "item": item["title"], **row} for row in item.get(kind, [])
                ]
    return files


def _csv(rows: list[dict[str, Any]]) -> str:
    """``rows`` as CSV (UTF-8 with a BOM for spreadsheet apps); text that could run as a formula defused."""
    out = io.StringIO()
    out.write("\ufeff")
    if rows:
        header: list[str] = []
        for row in rows:
            header += [key for key in row if key not in header]
        writer = csv.DictWriter(out, fieldnames=header)
        writer.writeheader()
        for row in rows:
            writer.writerow({key: _cell(value) for key, value in row.items()})
    return out.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return csv_safe(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return ""
    return _json_value(value) if isinstance(value, datetime.date | Decimal) else value


def _json_value(value: Any) -> Any:
    """How JSON and CSV write what ``json`` cannot: dates and amounts as text."""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"cannot export {type(value).__name__}")
