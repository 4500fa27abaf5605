"""Amounts of money as Whisper keeps them (the currencies it knows, the largest amount it takes)
and as people read them: written the way the reader's language writes money, through Babel."""

from __future__ import annotations

from decimal import Decimal

from babel import numbers
from babel.core import UnknownLocaleError
from babel.lists import format_list
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

CURRENCIES = [
    ("USD", _("US dollar")),
    ("EUR", _("Euro")),
    ("GBP", _("Pound sterling")),
    ("CAD", _("Canadian dollar")),
    ("AUD", _("Australian dollar")),
    ("NZD", _("New Zealand dollar")),
    ("CHF", _("Swiss franc")),
]
MAX_PRICE = Decimal("1000000")


def price_field() -> models.DecimalField:
    """An optional amount of money: one cent at least, ``MAX_PRICE`` at most."""
    return models.DecimalField(
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_PRICE)],
    )


def babel_locale(language: str | None = None) -> str:
    """The Babel locale of a Django language code (the active language by default).

    >>> babel_locale("en-us"), babel_locale("de"), babel_locale("pt-br")
    ('en_US', 'de', 'pt_BR')
    """
    return translation.to_locale(language or translation.get_language() or settings.LANGUAGE_CODE)


def format_money(
    amount: Decimal | int | float | str | None, currency: str, language: str | None = None
) -> str:
    """``amount`` of ``currency`` the way the reader's language writes it ("" for no amount).

    >>> format_money(Decimal("1299.5"), "EUR", "en")
    '€1,299.50'
    >>> format_money(Decimal("25"), "EUR", "de")
    '25,00\\xa0€'
    >>> format_money(Decimal("25"), "USD", "fr")
    '25,00\\xa0$US'
    """
    if amount is None or amount == "":
        return ""
    locale = babel_locale(language)
    try:
        return numbers.format_currency(Decimal(str(amount)), currency, locale=locale)
    except (UnknownLocaleError, ValueError):
        return numbers.format_currency(Decimal(str(amount)), currency, locale="en")


def currency_name(currency: str, count: int = 1, language: str | None = None) -> str:
    """A currency's name in the reader's language ("US dollar", "US-Dollar", "dollar des États-Unis")."""
    try:
        return numbers.get_currency_name(currency, count=count, locale=babel_locale(language))
    except UnknownLocaleError:
        return numbers.get_currency_name(currency, count=count, locale="en")


def currency_list(currencies: list[str], language: str | None = None) -> str:
    """Several currencies named in a sentence ("US dollars and euros", "US-Dollar und Euro").

    >>> currency_list(["USD", "EUR"], "en")
    'US dollars and euros'
    """
    locale = babel_locale(language)
    names = [currency_name(code, count=2, language=language) for code in currencies]
    try:
        return format_list(names, locale=locale)
    except UnknownLocaleError:
        return format_list(names, locale="en")
