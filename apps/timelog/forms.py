"""The staff timelog page's one question: over which period."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

#: Period choice → (its label, how far back, width of a chart bucket), in seconds.
PERIODS = {
    "1h": (_("Last hour"), 3600, 300),
    "24h": (_("Last 24 hours"), 24 * 3600, 3600),
    "7d": (_("Last 7 days"), 7 * 86400, 86400),
    "30d": (_("Last 30 days"), 30 * 86400, 86400),
}


class PeriodForm(forms.Form):
    since = forms.ChoiceField(
        label=_("Period"), choices=[(key, label) for key, (label, _, _) in PERIODS.items()], initial="24h"
    )
