"""Form fields that several apps' forms share."""

from __future__ import annotations

from django import forms
from django.core.validators import URLValidator
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class WebLinkField(forms.URLField):
    """A link guests can open in a browser: http or https only."""

    default_validators = [URLValidator(schemes=["http", "https"])]
    # Field.run_validators replaces a validator's message by the field's own.
    default_error_messages = {"invalid": _("Enter a web link starting with http:// or https://.")}

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)


def _interpolate(message: str, values: dict) -> str:
    return gettext(message) % values


# A message translated when it is shown, filled in with values known now, e.g.
# lazy_interpolate(gettext_noop("Enter at most %(max)s."), {"max": 99}) in a form's
# error_messages: the English text is extracted by makemessages through gettext_noop.
lazy_interpolate = lazy(_interpolate, str)
