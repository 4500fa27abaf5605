"""The staff timelog page's one question: over which period."""

from __future__ import annotations

from django import forms

#: Period choice → (how far back, width of a chart bucket), in seconds.
PERIODS = {
    "1h": (3600, 300),
    "24h": (24 * 3600, 3600),
    "7d": (7 * 86400, 86400),
    "30d": (30 * 86400, 86400),
}


class PeriodForm(forms.Form):
    since = forms.ChoiceField(
        label="Period",
        choices=[
            ("1h", "Last hour"),
            ("24h", "Last 24 hours"),
            ("7d", "Last 7 days"),
            ("30d", "Last 30 days"),
        ],
        initial="24h",
    )
