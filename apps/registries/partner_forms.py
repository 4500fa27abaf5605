"""The couple's form for inviting a partner to co-own a registry."""

from __future__ import annotations

from django import forms


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
