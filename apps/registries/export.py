"""A couple's registries in their account's export (``apps.accounts.export``).

Registries contributes each registry's row (and ``registries.csv``); the apps
above add their part of each row through :data:`exporting_registries` — the
gifts, what guests gave, the orders — each with one query for all the
registries, so the export takes a constant number of queries. A list of rows
under a key becomes a CSV file of that name (``gifts_bought_elsewhere`` →
``gifts-bought-elsewhere.csv``); lists one level down (a gift's reservations)
too, with the gift's title.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from apps.accounts import hooks as accounts
from apps.core.hooks import Hook

from .models import Registry

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
    "shipping",
    "shipping_address",
    "created_at",
]


@dataclass
class RegistryExport:
    """The export being built: the user's registries (each with ``view``, its spoiler setting in force)."""

    user: Any
    registries: list[Registry]
    rows: dict[int, dict[str, Any]]  # registry pk -> its row
    items: dict[int, tuple[Registry, dict[str, Any]]] = field(default_factory=dict)  # item pk -> its entry
    # The keys of the lists of rows the apps add: each is a CSV file, even when no registry shows rows.
    tables: list[str] = field(default_factory=list)

    def showing_all(self) -> list[Registry]:
        """The registries whose spoiler setting shows who gave what."""
        return [r for r in self.registries if r.view == Registry.Spoilers.ALL]


# fn(export: RegistryExport) -> None: add the app's part to each registry's row (and to ``items``).
exporting_registries = Hook("a registry's part in its owners' export")


def fields_of(obj, names: list[str]) -> dict[str, Any]:
    """``obj``'s fields ``names``, as the export writes them."""
    return {name: getattr(obj, name) for name in names}


@accounts.exporting_account.register
def registries_part(user, data: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Add ``user``'s registries to the export; its CSV files."""
    registries = list(
        Registry.objects.filter(owners=user).order_by("created_at", "pk").prefetch_related("owners")
    )
    rows = {}
    for registry in registries:
        registry.view = registry.owner_view()
        row = fields_of(registry, REGISTRY_FIELDS)
        row["public_url"] = registry.get_absolute_url()
        row["cover_photo"] = registry.cover_photo.url if registry.cover_photo else ""
        row["passphrase_protected"] = bool(registry.passphrase_hash)
        row["other_owners"] = [owner.email for owner in registry.owners.all() if owner.pk != user.pk]
        if registry.view != Registry.Spoilers.ALL:
            row["guests_hidden_until"] = registry.reveal_date()
        rows[registry.pk] = row
    export = RegistryExport(user, registries, rows)
    exporting_registries(export)
    data["registries"] = [rows[r.pk] for r in registries]
    return _flat(data["registries"], export.tables)


def _is_table(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(entry, dict) for entry in value)


def _csv_name(key: str) -> str:
    return key.replace("_", "-") + ".csv"


def _flat(rows: list[dict[str, Any]], tables: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The CSV files: one row per registry, and per entry of each list of rows (and of theirs)."""
    files: dict[str, list[dict[str, Any]]] = {_csv_name(key): [] for key in ["registries", *tables]}
    for row in rows:
        slug = row["slug"]
        files["registries.csv"].append(
            {k: v for k, v in row.items() if k != "other_owners" and not _is_table(v)}
            | {"other_owners": " ".join(row["other_owners"])}
        )
        for key, entries in row.items():
            if key == "other_owners" or not _is_table(entries):
                continue
            table = files.setdefault(_csv_name(key), [])
            for entry in entries:
                table.append({"registry": slug, **{k: v for k, v in entry.items() if not _is_table(v)}})
                for sub, subentries in entry.items():
                    if _is_table(subentries):
                        files.setdefault(_csv_name(sub), []).extend(
                            {"registry": slug, "item": entry["title"], **e} for e in subentries
                        )
    return files
