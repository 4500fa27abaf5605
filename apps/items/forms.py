"""The couple's form for adding and editing a gift."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from apps.core.fields import WebLinkField, lazy_interpolate
from apps.core.money import MAX_PRICE
from apps.core.uploads import ImageUploadField, KeepsUploads

from .models import MAX_QUANTITY, Item
from .services import QuantityBelowReserved

CATEGORY_LIST_ID = "category-options"


class NumberNotRequiredInBrowser(forms.NumberInput):
    """A number input without ``required``: the server decides (blank is fine with "unlimited")."""

    def use_required_attribute(self, initial: object) -> bool:
        return False


class ItemForm(KeepsUploads, forms.ModelForm):
    image = ImageUploadField(label=gettext_lazy("Picture"))
    price = forms.DecimalField(
        label=gettext_lazy("Price"),
        required=False,
        min_value=Decimal("0.01"),
        max_value=MAX_PRICE,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "inputmode": "decimal"}),
        error_messages={
            "min_value": gettext_lazy("The price must be more than zero."),
            "max_value": lazy_interpolate(
                gettext_noop("The price can be at most %(max)s."), {"max": f"{MAX_PRICE:,}"}
            ),
            "max_decimal_places": gettext_lazy("Use at most 2 decimals (e.g. 35.50)."),
            "invalid": gettext_lazy("Enter the price as a number, e.g. 35.50."),
        },
    )
    quantity = forms.IntegerField(
        label=gettext_lazy("Quantity wanted"),
        initial=1,
        min_value=1,
        max_value=MAX_QUANTITY,
        widget=NumberNotRequiredInBrowser,
        error_messages={
            "required": gettext_lazy("How many would you like? Enter a number, or tick “unlimited”."),
            "min_value": gettext_lazy("Ask for at least 1 (or tick “unlimited”)."),
            "max_value": lazy_interpolate(
                gettext_noop("You can ask for at most %(max)s; tick “unlimited” for more."),
                {"max": MAX_QUANTITY},
            ),
            "invalid": gettext_lazy("Enter a whole number."),
        },
    )
    store_url = WebLinkField(label=gettext_lazy("Store link"), required=False, max_length=1000)
    category = forms.CharField(
        label=gettext_lazy("Category"),
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"list": CATEGORY_LIST_ID, "autocomplete": "off"}),
        help_text=gettext_lazy("e.g. Kitchen, Garden, Honeymoon."),
    )

    class Meta:
        model = Item
        fields = [
            "title",
            "description",
            "image",
            "price",
            "currency",
            "quantity",
            "unlimited",
            "group_gift",
            "store_url",
            "priority",
            "category",
            "note",
            "hidden",
        ]
        labels = {
            "title": gettext_lazy("Title"),
            "description": gettext_lazy("Description"),
            "currency": gettext_lazy("Currency"),
            "priority": gettext_lazy("Priority"),
            "unlimited": gettext_lazy("Unlimited"),
            "hidden": gettext_lazy("Hide from guests"),
            "group_gift": gettext_lazy("Group gift"),
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, reveal_counts: bool = True, group_gifts: bool = True, **kwargs) -> None:
        """``group_gifts``: whether the group-gift feature is on (its flag); off, the field is left out."""
        super().__init__(*args, **kwargs)
        if not group_gifts:
            del self.fields["group_gift"]
        # With "nothing until after the event", error messages must not reveal counts.
        self.reveal_counts = reveal_counts
        unlimited = self.fields["unlimited"].widget.value_from_datadict(
            self.data, self.files, self.add_prefix("unlimited")
        )
        if self.is_bound and unlimited:
            # Any number welcome: the quantity may be left blank.
            self.fields["quantity"].required = False

    def clean_category(self) -> str:
        return " ".join(self.cleaned_data["category"].split())

    def clean(self) -> dict:
        cleaned = super().clean()
        unlimited = cleaned.get("unlimited")
        quantity = cleaned.get("quantity")
        if cleaned.get("group_gift"):
            if unlimited:
                self.add_error(
                    "unlimited", gettext_lazy("A group gift collects toward one price: untick “unlimited”.")
                )
            if cleaned.get("price") is None and "price" not in self.errors:
                self.add_error(
                    "price", gettext_lazy("A group gift needs a price for guests to contribute toward.")
                )
        if "quantity" in self.errors:
            return cleaned
        received = self.instance.received_elsewhere
        if unlimited:
            # Keep what was there; it matters again if "unlimited" is unticked later.
            cleaned["quantity"] = quantity or self.instance.quantity or 1
        elif quantity < self.instance.reserved_count + received:
            self.add_error("quantity", self.below_reserved_message(self.instance.reserved_count, received))
        return cleaned

    def below_reserved_message(self, reserved: int, received: int = 0) -> str:
        """Why the quantity can't go that low, with guests' counts only if the spoiler setting shows them."""
        params = {"reserved": reserved, "received": received, "total": reserved + received}
        if not self.reveal_counts:  # not even whether anyone reserved
            if received:
                return (
                    _(
                        "You received %(received)s elsewhere and guests may have reserved some, "
                        "so the quantity can't go that low."
                    )
                    % params
                )
            return str(QuantityBelowReserved.message)
        if received and not reserved:
            return (
                _("You received %(received)s elsewhere, so the quantity can't go below %(received)s.")
                % params
            )
        if received:
            return (
                _(
                    "Guests have reserved %(reserved)s of this gift and you received %(received)s elsewhere, "
                    "so the quantity can't go below %(total)s."
                )
                % params
            )
        return (
            _(
                "Guests have already reserved %(reserved)s of this gift, "
                "so the quantity can't go below %(reserved)s."
            )
            % params
        )


class ReceivedElsewhereForm(forms.Form):
    """How many of a gift the couple received from someone off the registry."""

    received_elsewhere = forms.IntegerField(
        label=gettext_lazy("Received from someone off the registry"),
        min_value=0,
        max_value=MAX_QUANTITY,
        widget=forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
        help_text=gettext_lazy("They no longer show as left for guests to reserve."),
        error_messages={
            "required": gettext_lazy("Enter how many you received (0 for none)."),
            "min_value": gettext_lazy("Enter 0 or more."),
            "max_value": lazy_interpolate(gettext_noop("Enter at most %(max)s."), {"max": MAX_QUANTITY}),
            "invalid": gettext_lazy("Enter a whole number."),
        },
    )


class FundForm(forms.ModelForm):
    """The couple's form for a fund (a honeymoon, a first home, a charity): guests give any amount.

    A fund is an item of kind "fund" that takes contributions (``group_gift``),
    one of it, with no store link; its target is the optional ``price``.
    """

    image = ImageUploadField(label=gettext_lazy("Picture"))
    price = forms.DecimalField(
        label=gettext_lazy("Target (optional)"),
        required=False,
        min_value=Decimal("0.01"),
        max_value=MAX_PRICE,
        decimal_places=2,
        help_text=gettext_lazy("Leave it empty to take any amount, with no limit."),
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "inputmode": "decimal"}),
        error_messages={
            "min_value": gettext_lazy("The target must be more than zero."),
            "max_decimal_places": gettext_lazy("Use at most 2 decimals (e.g. 1500.50)."),
            "invalid": gettext_lazy("Enter the target as a number, e.g. 1500."),
        },
    )

    class Meta:
        model = Item
        fields = ["title", "description", "image", "price", "currency", "priority", "hidden"]
        labels = {
            "title": gettext_lazy("Name of the fund"),
            "description": gettext_lazy("Your story"),
            "currency": gettext_lazy("Currency"),
            "priority": gettext_lazy("Priority"),
            "hidden": gettext_lazy("Hide from guests"),
        }
        help_texts = {
            "title": gettext_lazy("e.g. Our honeymoon in Lisbon, Our first home, The animal shelter."),
            "description": gettext_lazy(
                "What the money is for, in your own words. Guests read it before they give."
            ),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.kind = Item.Kind.FUND
        self.instance.group_gift = True
        self.instance.unlimited = False
        self.instance.quantity = 1
        self.instance.store_url = ""
