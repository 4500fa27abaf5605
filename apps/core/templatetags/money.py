"""Amounts and dates the reader's way, in every template (a builtin library: no ``{% load %}``).

``{{ item.price|money:item.currency }}`` → "$25.00" in English, "25,00 €" in
German; ``{{ registry.event_date|full_date }}`` → "Tuesday, February 23, 2027",
"Dienstag, 23. Februar 2027": the weekday and the date as the active
language writes them (``FULL_DATE_FORMAT`` of ``whisper/formats``, else
Django's ``DATE_FORMAT``).
"""

from __future__ import annotations

import datetime
from decimal import InvalidOperation

from django import template
from django.utils import formats, translation

from apps.core.money import format_money

register = template.Library()


@register.filter(is_safe=True)
def money(amount, currency: str = "") -> str:
    """An amount of ``currency`` written the way the active language writes money."""
    if amount is None or amount == "" or not currency:
        return "" if amount is None else str(amount)
    try:
        return format_money(amount, currency)
    except (InvalidOperation, TypeError):
        return str(amount)  # not an amount: shown as it is (and escaped as any text)


def full_date_format(language: str | None = None) -> str:
    """The active language's way of writing a day with its weekday."""
    for module in formats.get_format_modules(language or translation.get_language()):
        if fmt := getattr(module, "FULL_DATE_FORMAT", None):
            return fmt
    return formats.get_format("DATE_FORMAT")


@register.filter(expects_localtime=True, is_safe=False)
def full_date(value: datetime.date | None) -> str:
    """``value`` with its weekday, as the active language writes a day."""
    if not value:
        return ""
    return formats.date_format(value, full_date_format())
