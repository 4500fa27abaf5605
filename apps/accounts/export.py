"""Everything Whisper keeps for a couple's account, as one zip: JSON and CSV files.

``whisper-export.json`` holds it all, nested (the account, each registry with
its gifts, orders, and what guests gave); the CSV files hold the same rows
flat, for a spreadsheet. This module writes the account and the zip; the apps
that keep the rest contribute their part (``apps.accounts.hooks.exporting_account``).

What guests gave follows the registry's spoiler setting, as the dashboard
does. A constant number of queries, whatever the number of registries,
gifts and guests.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import zipfile
from decimal import Decimal
from typing import Any

from django.utils import timezone

from apps.core.spreadsheets import csv_safe

from .hooks import exporting_account
from .models import User

JSON_NAME = "whisper-export.json"


def filename(user: User, today: datetime.date | None = None) -> str:
    """The name the browser saves the zip under.

    >>> filename(None, datetime.date(2026, 5, 1))
    'whisper-export-2026-05-01.zip'
    """
    return f"whisper-export-{(today or timezone.localdate()).isoformat()}.zip"


def build(user: User) -> bytes:
    """The zip of everything ``user``'s account holds."""
    data = {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "name": user.name,
            "email_verified": user.email_verified,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
        },
    }
    files: dict[str, list[dict[str, Any]]] = {}
    for part in exporting_account(user, data):
        files.update(part)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(JSON_NAME, json.dumps(data, indent=2, ensure_ascii=False, default=_json_value))
        for name, rows in files.items():
            archive.writestr(name, _csv(rows))
    return out.getvalue()


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
