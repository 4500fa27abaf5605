"""What an attacker (or a very creative guest) types into a form, as hypothesis strategies."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

HTML = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg/onload=alert(1)>",
    "javascript:alert(1)",
    '<a href="javascript:alert(1)">win a prize</a>',
    "</textarea><script>alert(1)</script>",
    "{{ request.META }}{% debug %}",
    "&lt;&amp;&#x27;",
]
CONTROL = ["\x1b[31m", "\u202e", "\u200b", "\r\n", "\t", "\x07", "\x7f", "\ufeff"]
MIXED = ["مرحبا بكم", "Zoë & Łukasz", "👰🏽‍♀️🤵🏿", "é\u0301\u0301\u0301", "שָׁלוֹם", "日本語テキスト", "Ǆungla"]

_fragment = st.one_of(st.sampled_from(HTML + CONTROL + MIXED), st.text(max_size=12))
mixed = st.lists(_fragment, min_size=1, max_size=6).map("".join)
very_long = st.sampled_from(HTML + MIXED + ["x"]).map(lambda s: (s * 10_000)[:10_000])
hostile = st.one_of(mixed, very_long)

# Modest: a handful of requests per example, thirty examples per form.
FUZZ = settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

# For tests that load every page per example.
FUZZ_FEW = settings(FUZZ, max_examples=10)

# What must never reach a page unescaped.
RAW = re.compile(r"<script>alert|<img src=x onerror|<svg/onload|href=\"?javascript:alert", re.IGNORECASE)


def raw_markup(html: str) -> str | None:
    """The first piece of hostile markup found in ``html`` as markup (not as text), if any.

    >>> raw_markup("<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>") is None
    True
    >>> raw_markup('<p><img src=x onerror=alert(1)></p>')
    '<img src=x onerror'
    """
    found = RAW.search(html)
    return found.group(0) if found else None
