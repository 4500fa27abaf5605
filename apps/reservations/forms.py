"""Forms a guest fills in: reserving a gift and changing the quantity, pledging
toward a group gift and changing the amount, telling the couple of a gift
bought off the list."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from apps.items.models import MAX_PRICE, Item

from .models import OffRegistryGift, Pledge, Reservation
from .pledges import money
from .services import MAX_UNLIMITED_PER_RESERVATION


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


def _quantity_field(limit: int, **kwargs) -> forms.IntegerField:
    return forms.IntegerField(
        min_value=1,
        max_value=limit,
        widget=forms.NumberInput(attrs={"min": 1, "max": limit, "inputmode": "numeric"}),
        error_messages={
            "min_value": "Please choose at least 1.",
            "max_value": f"Sorry — you can reserve at most {limit}.",
        },
        **kwargs,
    )


# The guest's own fields, the same on every form a guest fills in.
GUEST_LABELS = {"guest_name": "Your name", "guest_email": "Your email"}
GUEST_WIDGETS = {
    "guest_name": forms.TextInput(attrs={"autocomplete": "name"}),
    "guest_email": forms.EmailInput(attrs={"autocomplete": "email"}),
    "message": forms.Textarea(attrs={"rows": 4}),
}


def _guest_help(what: str) -> dict[str, str]:
    return {
        "guest_email": "We send you a private link to change or cancel. No account needed.",
        "message": f"The couple will see it with your {what}.",
    }


class ReserveForm(forms.ModelForm):
    """Quantity, name, email and an optional message to the couple."""

    class Meta:
        model = Reservation
        fields = ["quantity", "guest_name", "guest_email", "message"]
        labels = GUEST_LABELS
        widgets = GUEST_WIDGETS
        help_texts = _guest_help("reservation")

    def __init__(self, *args, item: Item, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        limit = quantity_limit(item)
        self.fields["quantity"] = _quantity_field(limit, initial=1)
        if not item.unlimited:
            self.fields["quantity"].help_text = f"{limit} of {item.quantity} still to reserve."


class QuantityForm(forms.Form):
    """Change how many units a reservation holds."""

    def __init__(self, *args, reservation: Reservation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        limit = quantity_limit(reservation.item, holding=reservation.quantity)
        self.fields["quantity"] = _quantity_field(limit, initial=reservation.quantity, label="Quantity")


def _amount_field(item: Item, most: Decimal, too_much: str, **kwargs) -> forms.DecimalField:
    """An amount toward ``item``: at least one cent, at most ``most`` (else ``too_much``)."""
    return forms.DecimalField(
        label=f"Amount ({item.currency})",
        min_value=Decimal("0.01"),
        max_value=most,
        decimal_places=2,
        max_digits=10,
        widget=forms.NumberInput(
            attrs={"min": "0.01", "max": str(most), "step": "0.01", "inputmode": "decimal"}
        ),
        error_messages={
            "required": "How much would you like to contribute?",
            "min_value": "Please pledge an amount above zero.",
            "max_value": too_much,
            "max_decimal_places": "Use at most 2 decimals (e.g. 25.50).",
            "max_digits": "That amount is too large.",
            "invalid": "Enter the amount as a number, e.g. 25.50.",
        },
        **kwargs,
    )


class PledgeForm(forms.ModelForm):
    """Amount, name, email and an optional message to the couple."""

    class Meta:
        model = Pledge
        fields = ["amount", "guest_name", "guest_email", "message"]
        labels = GUEST_LABELS
        widgets = GUEST_WIDGETS
        help_texts = _guest_help("contribution")

    def __init__(self, *args, item: Item, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        left = item.left_to_pledge() or Decimal("0")
        too_much = f"Sorry — only {money(left, item.currency)} left to contribute."
        self.fields["amount"] = _amount_field(item, left, too_much)
        self.fields[
            "amount"
        ].help_text = (
            f"{money(left, item.currency)} of {money(item.price, item.currency)} still to contribute."
        )


class PledgeAmountForm(forms.Form):
    """Change how much a pledge promises."""

    def __init__(self, *args, pledge: Pledge, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        item = pledge.item
        left = item.left_to_pledge() or Decimal("0")
        most = left + pledge.amount
        too_much = (
            f"Sorry — only {money(left, item.currency)} more left to contribute, "
            f"so you can pledge at most {money(most, item.currency)}."
        )
        self.fields["amount"] = _amount_field(item, most, too_much, initial=pledge.amount)


class OffRegistryGiftForm(forms.ModelForm):
    """A guest tells the couple of a gift that was not on the list."""

    # Its fields sit on the public page next to the filters: keep their names apart.
    PREFIX = "gift"

    amount = forms.DecimalField(
        label="Amount",
        required=False,
        min_value=Decimal("0.01"),
        max_value=MAX_PRICE,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "inputmode": "decimal"}),
        help_text="Only if you'd like the couple to know.",
        error_messages={
            "min_value": "The amount must be more than zero.",
            "max_value": f"The amount can be at most {MAX_PRICE:,}.",
            "max_decimal_places": "Use at most 2 decimals (e.g. 35.50).",
            "invalid": "Enter the amount as a number, e.g. 35.50.",
        },
    )

    class Meta:
        model = OffRegistryGift
        fields = ["guest_name", "guest_email", "description", "amount", "currency", "message"]
        help_texts = {
            "guest_email": "Only for the couple, to say thank you.",
            "description": "e.g. “A picnic basket from the market in Lisbon”.",
        }
        widgets = {
            "guest_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "guest_email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "description": forms.Textarea(attrs={"rows": 3}),
            "message": forms.Textarea(attrs={"rows": 3}),
        }
