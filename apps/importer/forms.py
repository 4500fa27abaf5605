"""The couple's form for starting an import: one store link."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.fields import WebLinkField


class ImportForm(forms.Form):
    url = WebLinkField(
        label=_("Product link"),
        max_length=2000,
        widget=forms.URLInput(attrs={"placeholder": "https://shop.example/teapot", "inputmode": "url"}),
        help_text=_("The address of the product's page in any shop: we read its title, picture and price."),
        error_messages={"required": _("Paste the address of the product's page.")},
    )
