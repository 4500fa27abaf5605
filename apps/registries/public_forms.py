"""Forms of the guests' side of a registry: filters, passphrase and search."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.db.models import Case, F, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from apps.core.money import MAX_PRICE, currency_list, currency_name

# The couple's order (the dashboard's) is the default: "most wanted" is a badge and a sort of its own.
SORTS = {
    "": ("position", "id"),
    "priority": ("priority", "position", "id"),
    "price": (F("price").asc(nulls_last=True), "position", "id"),
    "-price": (F("price").desc(nulls_last=True), "position", "id"),
}
SORT_CHOICES = [
    ("", _("The couple's order")),
    ("priority", _("Most wanted first")),
    ("price", _("Price: low to high")),
    ("-price", _("Price: high to low")),
]


class ItemFilterForm(forms.Form):
    """The public page's filters and sort, bound to the query string.

    Invalid values are not errors for the guest: :meth:`apply` drops the
    filters that did not validate and :meth:`ignored` names them.
    """

    category = forms.ChoiceField(label=_("Category"), required=False)
    min_price = forms.DecimalField(
        label=_("Min price"), required=False, min_value=Decimal(0), max_value=MAX_PRICE, decimal_places=2
    )
    max_price = forms.DecimalField(
        label=_("Max price"), required=False, min_value=Decimal(0), max_value=MAX_PRICE, decimal_places=2
    )
    currency = forms.ChoiceField(label=_("Currency"), required=False)
    available = forms.BooleanField(label=_("Still available only"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        choices=SORT_CHOICES,
        required=False,
        error_messages={
            "invalid_choice": _("We don't know that order, so the gifts are shown in the couple's order.")
        },
    )

    # "all": every gift; otherwise the page shows the first ones and a link to the rest.
    show = forms.ChoiceField(choices=[("", ""), ("all", "all")], required=False, widget=forms.HiddenInput)

    # Errors whose own message, at the field, says what the page did: the warning need not name them again.
    EXPLAINED = {("max_price", "below_min"), ("sort", "invalid_choice")}

    def __init__(
        self,
        data,
        categories: list[str],
        with_available: bool = True,
        currencies: list[str] = (),
        home_currency: str = "",
        **kwargs,
    ) -> None:
        """``currencies``: those of the gifts listed; with more than one, guests may pick one,
        and prices sort within each currency, ``home_currency`` (the registry's) first."""
        super().__init__(data, **kwargs)
        if not with_available:
            del self.fields["available"]
        self.home_currency = home_currency
        self.currencies = sorted(currencies, key=lambda code: (code != home_currency, code))
        if len(self.currencies) > 1:
            self.fields["currency"].choices = [
                ("", _("All currencies")),
                *((code, f"{currency_name(code)} ({code})") for code in self.currencies),
            ]
        else:
            del self.fields["currency"]
        self.fields["category"].choices = [("", _("All categories")), *((c, c) for c in categories)]
        for name in ("min_price", "max_price"):
            self.fields[name].widget.attrs.update({"inputmode": "decimal", "step": "0.01", "min": "0"})

    def clean(self) -> dict:
        data = super().clean()
        low, high = data.get("min_price"), data.get("max_price")
        if low is not None and high is not None and low > high:
            error = forms.ValidationError(_("The maximum price is below the minimum."), code="below_min")
            self.add_error("max_price", error)
        return data

    def ignored(self) -> list[str]:
        """Labels of the filters whose values were invalid (and are ignored), but those :attr:`EXPLAINED`."""
        self.is_valid()
        return [
            str(self.fields[name].label or name.capitalize())
            for name, errors in self.errors.as_data().items()
            if not any((name, error.code) in self.EXPLAINED for error in errors)
        ]

    def apply(self, items: QuerySet) -> QuerySet:
        """``items`` filtered and sorted by the valid values."""
        self.is_valid()
        data = self.cleaned_data
        if data.get("category"):
            items = items.filter(category=data["category"])
        if data.get("min_price") is not None:
            items = items.filter(price__gte=data["min_price"])
        if data.get("max_price") is not None:
            items = items.filter(price__lte=data["max_price"])
        if data.get("currency"):
            items = items.filter(currency=data["currency"])
        if data.get("available"):
            items = items.available()
        sort = data.get("sort") or ""
        if sort in ("price", "-price") and self.mixed_currencies:
            # Prices compare within a currency only: the registry's currency first, then the others.
            home_first = Case(When(currency=self.home_currency, then=Value(0)), default=Value(1))
            return items.order_by(home_first, "currency", *SORTS[sort])
        return items.order_by(*SORTS[sort])

    @property
    def mixed_currencies(self) -> bool:
        """Whether the list holds gifts in more than one currency (none was picked)."""
        self.is_valid()
        return len(self.currencies) > 1 and not self.cleaned_data.get("currency")

    def currency_names(self) -> str:
        """The gifts' currencies in a sentence, the registry's first ("US dollars and euros")."""
        return currency_list(self.currencies)

    @property
    def is_filtered(self) -> bool:
        """Whether any filter (not the sort) narrows the list."""
        self.is_valid()
        data = self.cleaned_data
        return bool(
            data.get("category")
            or data.get("currency")
            or data.get("available")
            or data.get("min_price") is not None
            or data.get("max_price") is not None
        )


class PassphraseForm(forms.Form):
    passphrase = forms.CharField(
        max_length=200,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "autofocus": True}),
        help_text=_("The couple shared it with your invitation."),
    )


class SearchForm(forms.Form):
    MIN_LENGTH = 2

    q = forms.CharField(
        label=_("Couple's names"),
        max_length=100,
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("e.g. Alex Sam"), "autofocus": True}
        ),
    )

    def query(self) -> str:
        """The cleaned query, or "" when it is missing, invalid or too short to search."""
        if not self.is_valid():
            return ""
        query = " ".join(self.cleaned_data["q"].split())
        return query if len(query) >= self.MIN_LENGTH else ""
