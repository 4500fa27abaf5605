"""The couple's forms: create and edit a registry, invite a partner to co-own it."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from apps.core.uploads import ImageUploadField, KeepsUploads

from .models import RESERVED_SLUGS, Registry, slug_validator

EARLIEST_EVENT = datetime.date(2000, 1, 1)
LATEST_EVENT_YEARS = 10

# Help text of the cover photo on a plan without one ({} is the upgrade link).
_COVER_NEEDS_UPGRADE = (
    'A cover photo comes with <strong>Premium</strong>. <a href="{}">Upgrade your registry</a> to add one.'
)
_COVER_NEEDS_UPGRADE_LATER = (
    "A cover photo comes with <strong>Premium</strong>: create your registry, "
    'then <a href="{}">upgrade it</a> to add one.'
)


class HeaderChoice(forms.RadioSelect):
    """The designed headers as small previews to pick from (each ``.hero--<value>`` in the CSS)."""

    template_name = "registries/widgets/header_choice.html"
    option_template_name = "registries/widgets/header_option.html"


class RegistryForm(KeepsUploads, forms.ModelForm):
    slug = forms.CharField(
        label="Web address",
        required=False,
        max_length=60,
        help_text="Your page will live at /r/<em>address</em>/. Leave blank and we'll make one from "
        "your names (e.g. alex-and-sam).",
    )
    cover_photo = ImageUploadField(label="Cover photo")
    passphrase = forms.CharField(
        label="Passphrase for guests",
        required=False,
        min_length=4,
        max_length=128,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Only for a protected registry. Share it with your guests; we never show it again.",
    )
    event_date = forms.DateField(
        label="Event date", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )

    class Meta:
        model = Registry
        fields = [
            "partner_one",
            "partner_two",
            "event_date",
            "location",
            "welcome_message",
            "cover_photo",
            "header",
            "slug",
            "privacy",
            "passphrase",  # not on the model: the form's own field, placed here
            "spoilers",
            "pledge_instructions",
        ]
        labels = {
            "spoilers": "What you see of reservations",
            "privacy": "Who can see your registry",
            "header": _("Header of your page"),
        }
        help_texts = {"header": _("Shown at the top of your page when it has no cover photo.")}
        widgets = {
            "privacy": forms.RadioSelect,
            "spoilers": forms.RadioSelect,
            "header": HeaderChoice,
            "welcome_message": forms.Textarea(attrs={"rows": 4}),
            "pledge_instructions": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, cover_photo_allowed: bool = False, upgrade_url: str = "", **kwargs) -> None:
        """``cover_photo_allowed``: whether the registry's plan includes a cover photo.

        When it does not, the upload is shown disabled with a link to
        ``upgrade_url``; the services refuse an upload all the same.
        """
        super().__init__(*args, **kwargs)
        if not cover_photo_allowed:
            cover = self.fields["cover_photo"]
            cover.widget.attrs["disabled"] = True
            text = _COVER_NEEDS_UPGRADE if self.instance.pk else _COVER_NEEDS_UPGRADE_LATER
            cover.help_text = format_html(text, upgrade_url)
        if self.instance.passphrase_hash:
            self.fields["passphrase"].label = "New passphrase for guests"
            self.fields["passphrase"].help_text = "Leave blank to keep the current one; we never show it."

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"].strip().lower()
        if not slug:
            # Blank on edit keeps the current address; on create, services fill it in.
            return self.instance.slug if self.instance.pk else ""
        slug_validator(slug)
        if slug in RESERVED_SLUGS:
            raise ValidationError(
                "“%(slug)s” is reserved for Whisper's own pages — please choose another address.",
                code="reserved",
                params={"slug": slug},
            )
        if Registry.objects.filter(slug=slug).exclude(pk=self.instance.pk).exists():
            raise ValidationError(
                "Another registry already uses “%(slug)s” — please choose another address.",
                code="taken",
                params={"slug": slug},
            )
        return slug

    def clean_event_date(self) -> datetime.date:
        date = self.cleaned_data["event_date"]
        latest = timezone.localdate().replace(month=1, day=1) + datetime.timedelta(
            days=366 * LATEST_EVENT_YEARS
        )
        if date < EARLIEST_EVENT or date > latest:
            raise ValidationError(
                "Please enter a date between %(earliest)s and %(latest)s.",
                code="out_of_range",
                params={"earliest": EARLIEST_EVENT.year, "latest": latest.year},
            )
        return date

    def clean(self) -> dict:
        cleaned = super().clean()
        if (
            cleaned.get("privacy") == Registry.Privacy.PROTECTED
            and not cleaned.get("passphrase")
            and not self.instance.passphrase_hash
            and "passphrase" not in self.errors
        ):
            self.add_error(
                "passphrase",
                "A protected registry needs a passphrase — choose one to share with your guests.",
            )
        return cleaned


class InviteForm(forms.Form):
    email = forms.EmailField(
        label="Your partner's email",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "placeholder": "sam@example.com"}),
        help_text="We email them a link; they log in or sign up with this address to join.",
        error_messages={
            "required": "Enter your partner's email address.",
            "invalid": "Enter a valid email address, like sam@example.com.",
        },
    )
