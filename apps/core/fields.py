"""Form fields that several apps' forms share."""

from __future__ import annotations

from django import forms
from django.core.validators import URLValidator


class WebLinkField(forms.URLField):
    """A link guests can open in a browser: http or https only."""

    default_validators = [URLValidator(schemes=["http", "https"])]
    # Field.run_validators replaces a validator's message by the field's own.
    default_error_messages = {"invalid": "Enter a web link starting with http:// or https://."}

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)
