"""Amounts of money as Whisper keeps them: the currencies it knows, and the largest amount it takes."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
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
