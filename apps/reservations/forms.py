"""Forms a guest fills in: reserving a gift and changing the quantity."""

from __future__ import annotations

from django import forms

from apps.items.models import Item

from .models import Reservation
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


class ReserveForm(forms.ModelForm):
    """Quantity, name, email and an optional message to the couple."""

    class Meta:
        model = Reservation
        fields = ["quantity", "guest_name", "guest_email", "message"]
        labels = {"guest_name": "Your name", "guest_email": "Your email"}
        help_texts = {
            "guest_email": "We send you a private link to change or cancel. No account needed.",
            "message": "The couple will see it with your reservation.",
        }
        widgets = {
            "guest_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "guest_email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "message": forms.Textarea(attrs={"rows": 4}),
        }

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
