"""The gifts on a registry."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from apps.core.money import CURRENCIES, price_field

MAX_QUANTITY = 1000
# The most a running total of contributions can hold (the column's 10 digits, 2 decimals):
# an untargeted fund takes any number of contributions up to this.
MAX_TOTAL = Decimal("99999999.99")


class ItemQuerySet(models.QuerySet):
    def visible(self) -> ItemQuerySet:
        """Items guests may see."""
        return self.filter(hidden=False)

    def available(self) -> ItemQuerySet:
        """Items with something left to reserve (or, for a group gift, to contribute)."""
        units_left = Q(unlimited=True) | Q(reserved_count__lt=F("quantity") - F("received_elsewhere"))
        amount_left = Q(group_gift=False) | Q(pledged_total__lt=F("price")) | untargeted_fund()
        return self.filter(units_left & amount_left)

    def funds(self) -> ItemQuerySet:
        return self.filter(kind=Item.Kind.FUND)


def untargeted_fund() -> Q:
    """Funds with no target: they take any amount (up to ``MAX_TOTAL``)."""
    return Q(kind=Item.Kind.FUND, price__isnull=True, pledged_total__lt=MAX_TOTAL)


class Item(models.Model):
    """A gift on a registry, or a fund (a honeymoon, a first home, a charity).

    A fund is an item of kind ``FUND``: guests give it any amount, through the
    same contributions as a group gift (``group_gift`` is always set on a
    fund), toward its optional target (``price``; none means no limit). No
    units, no store link.
    """

    class Kind(models.TextChoices):
        GIFT = "gift", _("Gift")
        FUND = "fund", _("Fund")

    class Priority(models.IntegerChoices):
        MOST_WANTED = 1, _("Most wanted")
        WOULD_LOVE = 2, _("Would love")
        NICE_TO_HAVE = 3, _("Nice to have")

    registry = models.ForeignKey("registries.Registry", on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices, default=Kind.GIFT)
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=4000, blank=True)
    image = models.ImageField(upload_to="items/%Y/%m/", blank=True)
    # The picture's thumbnails once the worker made them (apps.core.thumbnails.remember_thumbnails):
    # the cards read them here instead of asking sorl's key-value store, one lookup per card.
    image_thumbnails = models.JSONField(default=dict, blank=True, editable=False)
    price = price_field()
    currency = models.CharField(max_length=3, choices=CURRENCIES, default="USD")
    quantity = models.PositiveIntegerField(
        _("quantity wanted"), default=1, validators=[MinValueValidator(1), MaxValueValidator(MAX_QUANTITY)]
    )
    unlimited = models.BooleanField(default=False, help_text=_("Any number welcome (e.g. gift cards)."))
    # Units reserved by guests; kept in step with the reservations by the
    # reservation services with conditional UPDATEs, and bounded by a constraint.
    reserved_count = models.PositiveIntegerField(default=0)
    # Units the couple received from someone off the registry: no longer left to reserve.
    received_elsewhere = models.PositiveIntegerField(default=0)
    # A group gift takes pledges toward its price instead of reservations of units.
    group_gift = models.BooleanField(
        _("group gift"),
        default=False,
        help_text=_("Guests contribute toward the price instead of buying it whole."),
    )
    # The sum of the active pledges; moved only by the pledge services with
    # conditional UPDATEs, and bounded by the price by a constraint.
    pledged_total = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    store_url = models.URLField(_("store link"), max_length=1000, blank=True)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.WOULD_LOVE)
    category = models.CharField(max_length=60, blank=True)
    note = models.CharField(_("note to guests"), max_length=500, blank=True)
    hidden = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)
    cache_version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ItemQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(unlimited=True) | Q(reserved_count__lte=F("quantity") - F("received_elsewhere")),
                name="items_item_reserved_within_quantity",
            ),
            # Within the price (a group gift's, a fund's target); a fund without a target has no limit.
            models.CheckConstraint(
                condition=Q(pledged_total=0)
                | Q(price__isnull=False, pledged_total__lte=F("price"))
                | Q(kind="fund", price__isnull=True),
                name="items_item_pledged_within_target",
            ),
            models.CheckConstraint(condition=Q(pledged_total__gte=0), name="items_item_pledged_not_negative"),
            models.CheckConstraint(
                condition=Q(group_gift=False) | Q(price__isnull=False, unlimited=False) | Q(kind="fund"),
                name="items_item_group_gift_priced_or_fund",
            ),
            # A fund takes contributions, one of it, and is bought nowhere.
            models.CheckConstraint(
                condition=Q(kind="gift") | Q(group_gift=True, unlimited=False, quantity=1, store_url=""),
                name="items_item_fund_takes_contributions",
            ),
            models.CheckConstraint(
                condition=Q(price__isnull=True) | Q(price__gt=0), name="items_item_price_positive"
            ),
        ]
        indexes = [models.Index(fields=["registry", "position"])]

    def __str__(self) -> str:
        return self.title

    @property
    def placeholder(self) -> tuple[str, int]:
        """The monogram and colour (1–5, by category) of the card of a gift without a picture.

        >>> Item(title="teapot", category="Kitchen").placeholder
        ('K', 3)
        >>> Item(title="hammock").placeholder
        ('H', 5)
        """
        word = (self.category or self.title or "?").strip() or "?"
        tone = sum(map(ord, self.category)) % 4 + 1 if self.category else 5
        return word[0].upper(), tone

    def remaining(self) -> int | None:
        """Units still to reserve; None when any number is welcome.

        >>> Item(quantity=3, reserved_count=1, received_elsewhere=1).remaining()
        1
        """
        if self.unlimited:
            return None
        return max(self.quantity - self.reserved_count - self.received_elsewhere, 0)

    def left_to_pledge(self) -> Decimal | None:
        """What guests may still pledge toward a group gift; None for other gifts.

        >>> Item(group_gift=True, price=Decimal("100"), pledged_total=Decimal("60.50")).left_to_pledge()
        Decimal('39.50')
        >>> Item(price=Decimal("100")).left_to_pledge() is None
        True
        """
        if not self.group_gift or self.price is None:
            return None
        return max(self.price - self.pledged_total, Decimal("0"))

    @property
    def is_fund(self) -> bool:
        return self.kind == self.Kind.FUND

    @property
    def has_target(self) -> bool:
        """Whether contributions stop at a price or target (not an untargeted fund)."""
        return self.price is not None

    def pledged_percent(self) -> int:
        """How much of a group gift's price is pledged, in whole percent (0–100).

        >>> Item(group_gift=True, price=Decimal("80"), pledged_total=Decimal("20")).pledged_percent()
        25
        """
        if not self.price:
            return 0
        return min(int(self.pledged_total * 100 / self.price), 100)

    @property
    def is_available(self) -> bool:
        units_left = self.unlimited or self.reserved_count + self.received_elsewhere < self.quantity
        if self.is_fund and self.price is None:
            return self.pledged_total < MAX_TOTAL
        if self.group_gift:
            return units_left and bool(self.left_to_pledge())
        return units_left
