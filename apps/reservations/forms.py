"""Forms a guest fills in: taking a claim (how many, or how much) and changing
it, telling the couple of a gift bought off the list."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from apps.core.fields import lazy_interpolate
from apps.core.money import MAX_PRICE
from apps.items.models import MAX_TOTAL, Item

from .models import Claim, OffRegistryGift
from .services import AMOUNTS, MAX_UNLIMITED_PER_RESERVATION, UNITS, ClaimKind, Value, money


def quantity_limit(item: Item, holding: int = 0) -> int:
    """The most units one reservation may hold: what is left (plus what it holds), or the cap.

    >>> quantity_limit(Item(quantity=3, reserved_count=1))
    2
    >>> quantity_limit(Item(quantity=3, reserved_count=3), holding=2)
    2
    >>> quantity_limit(Item(unlimited=True))
    20
    """
    remaining = item.remaining()
    if remaining is None:
        return MAX_UNLIMITED_PER_RESERVATION
    return remaining + holding


def quantity_field(item: Item, held: Value | None) -> forms.IntegerField:
    """How many units: at least 1, at most what is left (``held``: what the reservation holds now)."""
    most = quantity_limit(item, held or 0)
    field = forms.IntegerField(
        label=_("Quantity"),
        min_value=1,
        max_value=most,
        initial=held or 1,
        widget=forms.NumberInput(attrs={"min": 1, "max": most, "inputmode": "numeric"}),
        error_messages={
            "min_value": _("Please choose at least 1."),
            "max_value": _("Sorry — you can reserve at most %(limit_value)s."),
        },
    )
    if held is None and not item.unlimited:
        field.help_text = _("%(left)s of %(wanted)s still to reserve.") % {
            "left": most,
            "wanted": item.quantity,
        }
    return field


def amount_field(item: Item, held: Value | None) -> forms.DecimalField:
    """How much toward ``item``: at least one cent, at most what is left (plus what the pledge holds)."""
    untargeted = item.group_gift and item.price is None  # a fund without a target: any amount
    left = (MAX_TOTAL - item.pledged_total) if untargeted else (item.left_to_pledge() or Decimal("0"))
    most = left + (held or 0)
    shown = {"left": money(left, item.currency), "most": money(most, item.currency)}
    # The service's own words for a pledge past what is left.
    too_much = AMOUNTS.messages["not_enough_left" if held is None else "not_enough_more"] % shown
    field = forms.DecimalField(
        label=_("Amount (%(currency)s)") % {"currency": item.currency},
        min_value=Decimal("0.01"),
        max_value=most,
        decimal_places=2,
        max_digits=10,
        initial=held,
        widget=forms.NumberInput(
            attrs={"min": "0.01", "max": str(most), "step": "0.01", "inputmode": "decimal"}
        ),
        error_messages={
            "required": _("How much would you like to contribute?"),
            "min_value": _("Please pledge an amount above zero."),
            "max_value": too_much,
            "max_decimal_places": _("Use at most 2 decimals (e.g. 25.50)."),
            "max_digits": _("That amount is too large."),
            "invalid": _("Enter the amount as a number, e.g. 25.50."),
        },
    )
    if held is None and untargeted:
        field.help_text = _("Any amount you like.")
    elif held is None:
        shown["price"] = money(item.price, item.currency)
        field.help_text = _("%(left)s of %(price)s still to contribute.") % shown
    return field


class FormKeyField(forms.UUIDField):
    """The form's one-time key, hidden; a missing or mangled one is no key (the form still works)."""

    widget = forms.HiddenInput

    def to_python(self, value: str) -> uuid.UUID | None:
        try:
            return super().to_python(value)
        except forms.ValidationError:  # a hidden field's error would show nowhere on the page
            return None


# A claim's value field on the guest's forms, by kind.
VALUE_FIELDS = {UNITS: quantity_field, AMOUNTS: amount_field}


class ClaimForm(forms.Form):
    """Take a claim: how many or how much, the guest's name and email, a message to the couple.

    ``key`` is new each time the form is shown: the same form sent twice takes one claim.
    """

    guest_name = forms.CharField(
        label=_("Your name"), max_length=120, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    guest_email = forms.EmailField(
        label=_("Your email"),
        max_length=254,
        help_text=_("We send you a private link to change or cancel. No account needed."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    message = forms.CharField(
        label=_("Message to the couple"),
        max_length=2000,
        required=False,
        help_text=_("The couple will see it with your gift."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    thank_you_address = forms.CharField(
        label=_("Your postal address, for a thank-you card"),
        max_length=500,
        required=False,
        help_text=_(
            "Only if you'd like a thank-you card by post: only the couple sees it, "
            "and we erase it with your other details after the event."
        ),
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
    )
    # Not required: a form rendered before keys existed still works (without the guard).
    key = FormKeyField(required=False)

    def __init__(self, *args, kind: ClaimKind, item: Item, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {kind.field: VALUE_FIELDS[kind](item, None), **self.fields}
        self.fields["key"].initial = uuid.uuid4()


class ChangeForm(forms.Form):
    """Change how many units or how much a claim holds."""

    def __init__(self, *args, kind: ClaimKind, claim: Claim, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields[kind.field] = VALUE_FIELDS[kind](claim.item, getattr(claim, kind.field))


class OffRegistryGiftForm(forms.ModelForm):
    """A guest tells the couple of a gift that was not on the list."""

    # Its fields sit on the public page next to the filters: keep their names apart.
    PREFIX = "gift"

    amount = forms.DecimalField(
        label=_("Amount"),
        required=False,
        min_value=Decimal("0.01"),
        max_value=MAX_PRICE,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "inputmode": "decimal"}),
        help_text=_("Only if you'd like the couple to know."),
        error_messages={
            "min_value": _("The amount must be more than zero."),
            "max_value": lazy_interpolate(
                gettext_noop("The amount can be at most %(max)s."), {"max": f"{MAX_PRICE:,}"}
            ),
            "max_decimal_places": _("Use at most 2 decimals (e.g. 35.50)."),
            "invalid": _("Enter the amount as a number, e.g. 35.50."),
        },
    )

    class Meta:
        model = OffRegistryGift
        fields = ["guest_name", "guest_email", "description", "amount", "currency", "message"]
        labels = {"currency": _("Currency")}
        help_texts = {
            "guest_email": _("Only for the couple, to say thank you."),
            "description": _("e.g. “A picnic basket from the market in Lisbon”."),
        }
        widgets = {
            "guest_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "guest_email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "description": forms.Textarea(attrs={"rows": 3}),
            "message": forms.Textarea(attrs={"rows": 3}),
        }


class CoupleGiftForm(forms.ModelForm):
    """The couple notes a gift they received off the list, to thank whoever gave it."""

    amount = forms.DecimalField(
        label=_("What it was worth"),
        required=False,
        min_value=Decimal("0.01"),
        max_value=MAX_PRICE,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "inputmode": "decimal"}),
    )

    class Meta:
        model = OffRegistryGift
        fields = ["guest_name", "guest_email", "description", "item", "amount", "currency", "message"]
        labels = {
            "guest_name": _("Who gave it"),
            "guest_email": _("Their email"),
            "description": _("What they gave"),
            "message": _("Their message, or a note for yourselves"),
            "amount": _("What it was worth"),
            "currency": _("Currency"),
        }
        help_texts = {
            "guest_email": _("Gifts with the same email are thanked together."),
            "item": _("If it is one of the gifts on your list, it then counts as received."),
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "message": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, registry, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        item = self.fields["item"]
        # Only gifts counted in units can be "received off the list".
        item.queryset = registry.items.filter(unlimited=False, group_gift=False).order_by("position", "pk")
        item.required = False
        item.label = _("The gift on your list it replaces")
