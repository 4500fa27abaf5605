"""The couple's form for adding and editing a gift."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext as _

from apps.core.fields import WebLinkField
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
    image = ImageUploadField(label="Picture")
    price = forms.DecimalField(
        required=False,
        min_value=Decimal("0.01"),
        max_value=MAX_PRICE,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "inputmode": "decimal"}),
        error_messages={
            "min_value": "The price must be more than zero.",
            "max_value": f"The price can be at most {MAX_PRICE:,}.",
            "max_decimal_places": "Use at most 2 decimals (e.g. 35.50).",
            "invalid": "Enter the price as a number, e.g. 35.50.",
        },
    )
    quantity = forms.IntegerField(
        label="Quantity wanted",
        initial=1,
        min_value=1,
        max_value=MAX_QUANTITY,
        widget=NumberNotRequiredInBrowser,
        error_messages={
            "required": "How many would you like? Enter a number, or tick “unlimited”.",
            "min_value": "Ask for at least 1 (or tick “unlimited”).",
            "max_value": f"You can ask for at most {MAX_QUANTITY}; tick “unlimited” for more.",
            "invalid": "Enter a whole number.",
        },
    )
    store_url = WebLinkField(label="Store link", required=False, max_length=1000)
    category = forms.CharField(
        required=False,
        max_length=60,
        widget=forms.TextInput(attrs={"list": CATEGORY_LIST_ID, "autocomplete": "off"}),
        help_text="e.g. Kitchen, Garden, Honeymoon.",
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
        labels = {"unlimited": "Unlimited", "hidden": "Hide from guests", "group_gift": "Group gift"}
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
                self.add_error("unlimited", "A group gift collects toward one price: untick “unlimited”.")
            if cleaned.get("price") is None and "price" not in self.errors:
                self.add_error("price", "A group gift needs a price for guests to contribute toward.")
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
        label="Received from someone off the registry",
        min_value=0,
        max_value=MAX_QUANTITY,
        widget=forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
        help_text="They no longer show as left for guests to reserve.",
        error_messages={
            "required": "Enter how many you received (0 for none).",
            "min_value": "Enter 0 or more.",
            "max_value": f"Enter at most {MAX_QUANTITY}.",
            "invalid": "Enter a whole number.",
        },
    )
