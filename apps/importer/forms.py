"""The couple's form for starting an import: one store link."""

from __future__ import annotations

from django import forms

from apps.core.fields import WebLinkField


class ImportForm(forms.Form):
    url = WebLinkField(
        label="Product link",
        max_length=2000,
        widget=forms.URLInput(attrs={"placeholder": "https://shop.example/teapot", "inputmode": "url"}),
        help_text="The address of the product's page in any shop: we read its title, picture and price.",
        error_messages={"required": "Paste the address of the product's page."},
    )
