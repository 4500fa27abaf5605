"""The couple's notification settings form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import RegistryPreference


class PreferenceForm(forms.Form):
    owner_mail = forms.ChoiceField(
        label=_("Email me about new reservations"),
        choices=RegistryPreference.OwnerMail.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "What the emails say follows your spoiler setting: "
            "with “counts only” they say how many gifts were reserved, not which or by whom, "
            "and with “nothing until after the event” we send none before the reveal."
        ),
        error_messages={
            "required": _("Please choose one of the options."),
            "invalid_choice": _("Please choose one of the options."),
        },
    )
