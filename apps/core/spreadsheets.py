"""Text bound for a spreadsheet: the CSV exports (a registry's guests, an account's data) defuse it here."""

from __future__ import annotations

# Spreadsheet apps run cells starting with these as formulas.
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: str) -> str:
    """``value``, defused for spreadsheets: a leading formula character gets a quote.

    >>> csv_safe("=HYPERLINK(\\"http://evil\\")")
    '\\'=HYPERLINK("http://evil")'
    >>> csv_safe("-2+3"), csv_safe("@SUM(A1)"), csv_safe("Teapot")
    ("'-2+3", "'@SUM(A1)", 'Teapot')
    """
    if value.startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value
