"""Amounts the reader's way: the ``money`` filter and ``format_money`` in English, German, French, Spanish."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.template import engines
from django.utils import translation

from apps.core.money import format_money

NBSP = "\xa0"


def _render(source: str, language: str, **context) -> str:
    with translation.override(language):
        return engines["django"].from_string(source).render(context)


@pytest.mark.parametrize(
    ("language", "usd", "eur"),
    [
        ("en", "$1,234.50", "€1,234.50"),
        ("de", f"1.234,50{NBSP}$", f"1.234,50{NBSP}€"),
        ("fr", f"1\u202f234,50{NBSP}$US", f"1\u202f234,50{NBSP}€"),
        ("es", f"1.234,50{NBSP}US$", f"1.234,50{NBSP}€"),
    ],
)
def test_the_filter_writes_amounts_the_way_each_language_does(language, usd, eur):
    html = _render("{{ a|money:'USD' }} | {{ a|money:'EUR' }}", language, a=Decimal("1234.5"))

    assert html == f"{usd} | {eur}"
    with translation.override(language):
        assert (format_money(Decimal("1234.5"), "USD"), format_money("1234.50", "EUR")) == (usd, eur)


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "$25.00"), ("de", f"25,00{NBSP}€"), ("fr", f"25,00{NBSP}€"), ("es", f"25,00{NBSP}€")],
)
def test_twenty_five(language, expected):
    currency = "USD" if language == "en" else "EUR"
    assert _render("{{ a|money:c }}", language, a=Decimal("25"), c=currency) == expected


def test_no_amount_writes_nothing_and_the_output_is_escaped_like_any_text():
    assert _render("[{{ a|money:'USD' }}]", "en", a=None) == "[]"
    assert _render("{{ a|money:'EUR' }}", "en", a="<b>") == "&lt;b&gt;"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Tuesday, February 23, 2027"),
        ("de", "Dienstag, 23. Februar 2027"),
        ("fr", "mardi 23 février 2027"),
        ("es", "martes, 23 de febrero de 2027"),
    ],
)
def test_a_day_with_its_weekday_as_each_language_writes_it(language, expected):
    assert _render("{{ d|full_date }}", language, d=datetime.date(2027, 2, 23)) == expected
