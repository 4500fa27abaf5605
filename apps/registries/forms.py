"""The couple's forms: create and edit a registry, invite a partner to co-own it."""

from __future__ import annotations

import datetime

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import get_language, get_supported_language_variant
from django.utils.translation import gettext_lazy as _

from apps.core.uploads import ImageUploadField, KeepsUploads

from .models import RESERVED_SLUGS, Registry, slug_validator, time_zone_names

# Offered first in the time zone chooser: where most couples are.
COMMON_TIME_ZONES = [
    "America/Los_Angeles",
    "America/Denver",
    "America/Chicago",
    "America/New_York",
    "America/Toronto",
    "America/Mexico_City",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Europe/Madrid",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Vienna",
    "Europe/Zurich",
    "Europe/Rome",
    "Europe/Athens",
    "Africa/Johannesburg",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Perth",
    "Australia/Sydney",
    "Pacific/Auckland",
    "UTC",
]


def _zone_label(name: str) -> str:
    """How a zone reads in the chooser: "Los Angeles", "Argentina / Buenos Aires"."""
    return name.split("/", 1)[-1].replace("_", " ").replace("/", " / ")


def time_zone_choices() -> list:
    """The chooser's options: the common zones, then every zone grouped by region."""
    regions: dict[str, list] = {}
    for name in sorted(time_zone_names()):
        region = name.split("/", 1)[0] if "/" in name else _("Other")
        regions.setdefault(region, []).append((name, _zone_label(name) if "/" in name else name))
    common = [(name, name.replace("_", " ")) for name in COMMON_TIME_ZONES if name in time_zone_names()]
    return [(_("Common time zones"), common), *regions.items()]


EARLIEST_EVENT = datetime.date(2000, 1, 1)
LATEST_EVENT_YEARS = 10

# Help text of the cover photo on a plan without one ({} is the upgrade link).
_COVER_NEEDS_UPGRADE = _(
    'A cover photo comes with <strong>Premium</strong>. <a href="{}">Upgrade your registry</a> to add one.'
)
_COVER_NEEDS_UPGRADE_LATER = _(
    "A cover photo comes with <strong>Premium</strong>: create your registry, "
    'then <a href="{}">upgrade it</a> to add one.'
)


class HeaderChoice(forms.RadioSelect):
    """The designed headers as small previews to pick from (each ``.hero--<value>`` in the CSS)."""

    template_name = "registries/widgets/header_choice.html"
    option_template_name = "registries/widgets/header_option.html"


class RegistryForm(KeepsUploads, forms.ModelForm):
    slug = forms.CharField(
        label=_("Web address"),
        required=False,
        max_length=60,
        help_text=_(
            "Your page will live at /r/<em>address</em>/. Leave blank and we'll make one from "
            "your names (e.g. alex-and-sam)."
        ),
    )
    cover_photo = ImageUploadField(label=_("Cover photo"))
    passphrase = forms.CharField(
        label=_("Passphrase for guests"),
        required=False,
        min_length=4,
        max_length=128,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Only for a protected registry. Share it with your guests; we never show it again."),
    )
    event_date = forms.DateField(
        label=_("Event date"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=time_zone_choices,
        help_text=_(
            "Where you celebrate. Your reveal, reminders and every date your guests see follow its clock."
        ),
    )

    class Meta:
        model = Registry
        fields = [
            "partner_one",
            "partner_two",
            "event_date",
            "time_zone",
            "location",
            "welcome_message",
            "cover_photo",
            "header",
            "slug",
            "privacy",
            "passphrase",  # not on the model: the form's own field, placed here
            "spoilers",
            "currency",
            "language",
            "contributions_via",
            "paypal_email",
            "pledge_instructions",
            "shipping",
            "shipping_address",
        ]
        labels = {
            "location": _("Location"),
            "welcome_message": _("Welcome message"),
            "spoilers": _("What you see of reservations"),
            "privacy": _("Who can see your registry"),
            "header": _("Header of your page"),
        }
        help_texts = {"header": _("Shown at the top of your page when it has no cover photo.")}
        widgets = {
            "privacy": forms.RadioSelect,
            "spoilers": forms.RadioSelect,
            "header": HeaderChoice,
            "contributions_via": forms.RadioSelect,
            "welcome_message": forms.Textarea(attrs={"rows": 4}),
            "pledge_instructions": forms.Textarea(attrs={"rows": 3}),
            "shipping": forms.RadioSelect,
            "shipping_address": forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
        }

    def __init__(self, *args, cover_photo_allowed: bool = False, upgrade_url: str = "", **kwargs) -> None:
        """``cover_photo_allowed``: whether the registry's plan includes a cover photo.

        When it does not, the upload is shown disabled with a link to
        ``upgrade_url``; the services refuse an upload all the same.
        """
        super().__init__(*args, **kwargs)
        if self.is_bound and not all(name in self.data for name in ("time_zone", "currency")):
            # A form sent without them (a page from before they existed) keeps the registry's.
            self.data = self.data.copy()
            for name in ("time_zone", "currency"):
                self.data.setdefault(name, getattr(self.instance, name))
        if not self.instance.pk:
            self.fields["time_zone"].initial = settings.TIME_ZONE
            if not self.is_bound:
                # static/js/time-zone.js puts the browser's zone here; without JavaScript the site's stays.
                self.fields["time_zone"].widget.attrs["data-browser-zone"] = ""
        self.fields["currency"].help_text = _("New gifts start in it; each gift may still have its own.")
        if not self.instance.pk:  # a new registry speaks the language its couple uses here
            language = get_language() or settings.LANGUAGE_CODE
            self.initial["language"] = get_supported_language_variant(language)
        self.fields["language"].required = False  # left out: the registry keeps its language
        if not cover_photo_allowed:
            cover = self.fields["cover_photo"]
            cover.widget.attrs["disabled"] = True
            text = _COVER_NEEDS_UPGRADE if self.instance.pk else _COVER_NEEDS_UPGRADE_LATER
            cover.help_text = format_html(text, upgrade_url)
        # Not sent (an older form, a script): the registry keeps how it takes contributions.
        self.fields["contributions_via"].required = False
        if self.instance.passphrase_hash:
            self.fields["passphrase"].label = _("New passphrase for guests")
            self.fields["passphrase"].help_text = _("Leave blank to keep the current one; we never show it.")

    def clean_language(self) -> str:
        language = self.cleaned_data["language"]
        if not language:  # (construct_instance leaves a model default alone when the field is missing)
            language = self.instance.language if self.instance.pk else self.initial["language"]
            self.instance.language = language
        return language

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"].strip().lower()
        if not slug:
            # Blank on edit keeps the current address; on create, services fill it in.
            return self.instance.slug if self.instance.pk else ""
        slug_validator(slug)
        if slug in RESERVED_SLUGS:
            raise ValidationError(
                _("“%(slug)s” is reserved for Whisper's own pages — please choose another address."),
                code="reserved",
                params={"slug": slug},
            )
        if Registry.objects.filter(slug=slug).exclude(pk=self.instance.pk).exists():
            raise ValidationError(
                _("Another registry already uses “%(slug)s” — please choose another address."),
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
                _("Please enter a date between %(earliest)s and %(latest)s."),
                code="out_of_range",
                params={"earliest": EARLIEST_EVENT.year, "latest": latest.year},
            )
        return date

    def _clean_past_event(self, cleaned: dict) -> None:
        """A new registry's event may not be over already, where the couple celebrates.

        An existing registry keeps its date once the day has passed (editing the
        welcome message after the wedding must still work), so only a change to
        a past date is refused there.
        """
        date, zone = cleaned.get("event_date"), cleaned.get("time_zone")
        if date is None or zone is None:
            return
        if self.instance.pk and date == self.initial.get("event_date"):
            return
        today = Registry(time_zone=zone).local_today()
        if date < today:
            self.add_error(
                "event_date",
                ValidationError(
                    _(
                        "That day has already passed. Please choose the date of your celebration — "
                        "today or later."
                    ),
                    code="past",
                ),
            )

    def clean_contributions_via(self) -> str:
        return self.cleaned_data["contributions_via"] or self.instance.contributions_via

    def clean_paypal_email(self) -> str:
        address = self.cleaned_data["paypal_email"].strip()
        if address and address.lower() == settings.PAYPAL_RECEIVER_EMAIL.strip().lower():
            raise ValidationError(
                _("That is Whisper's own PayPal address: give your own, so the money goes straight to you."),
                code="whisper_address",
            )
        return address

    def clean(self) -> dict:
        cleaned = super().clean()
        self._clean_past_event(cleaned)
        wants_paypal = cleaned.get("contributions_via") == Registry.ContributionsVia.PAYPAL
        if wants_paypal and not cleaned.get("paypal_email") and "paypal_email" not in self.errors:
            self.add_error("paypal_email", _("Give your PayPal address, so guests' contributions reach you."))
        if (
            cleaned.get("privacy") == Registry.Privacy.PROTECTED
            and not cleaned.get("passphrase")
            and not self.instance.passphrase_hash
            and "passphrase" not in self.errors
        ):
            self.add_error(
                "passphrase",
                _("A protected registry needs a passphrase — choose one to share with your guests."),
            )
        if (
            cleaned.get("shipping") == Registry.Shipping.ADDRESS
            and not cleaned.get("shipping_address", "").strip()
            and "shipping_address" not in self.errors
        ):
            self.add_error(
                "shipping_address",
                ValidationError(
                    _("Please give the address guests should send gifts to, or choose another option."),
                    code="address_missing",
                ),
            )
        return cleaned


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=_("Your partner's email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "placeholder": "sam@example.com"}),
        help_text=_("We email them a link; they log in or sign up with this address to join."),
        error_messages={
            "required": _("Enter your partner's email address."),
            "invalid": _("Enter a valid email address, like sam@example.com."),
        },
    )
