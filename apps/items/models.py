"""The gifts on a registry."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from apps.core.money import CURRENCIES, price_field

MAX_QUANTITY = 1000


class ItemQuerySet(models.QuerySet):
    def visible(self) -> ItemQuerySet:
        """Items guests may see."""
        return self.filter(hidden=False)

    def available(self) -> ItemQuerySet:
        """Items with something left to reserve (or, for a group gift, to contribute)."""
        units_left = Q(unlimited=True) | Q(reserved_count__lt=F("quantity") - F("received_elsewhere"))
        return self.filter(units_left & (Q(group_gift=False) | Q(pledged_total__lt=F("price"))))


class Item(models.Model):
    class Priority(models.IntegerChoices):
        MOST_WANTED = 1, "Most wanted"
        WOULD_LOVE = 2, "Would love"
        NICE_TO_HAVE = 3, "Nice to have"

    registry = models.ForeignKey("registries.Registry", on_delete=models.CASCADE, related_name="items")
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=4000, blank=True)
    image = models.ImageField(upload_to="items/%Y/%m/", blank=True)
    price = price_field()
    currency = models.CharField(max_length=3, choices=CURRENCIES, default="USD")
    quantity = models.PositiveIntegerField(
        "quantity wanted", default=1, validators=[MinValueValidator(1), MaxValueValidator(MAX_QUANTITY)]
    )
    unlimited = models.BooleanField(default=False, help_text="Any number welcome (e.g. gift cards).")
    # Units reserved by guests; kept in step with the reservations by the
    # reservation services with conditional UPDATEs, and bounded by a constraint.
    reserved_count = models.PositiveIntegerField(default=0)
    # Units the couple received from someone off the registry: no longer left to reserve.
    received_elsewhere = models.PositiveIntegerField(default=0)
    # A group gift takes pledges toward its price instead of reservations of units.
    group_gift = models.BooleanField(
        "group gift",
        default=False,
        help_text="Guests contribute toward the price instead of buying it whole.",
    )
    # The sum of the active pledges; moved only by the pledge services with
    # conditional UPDATEs, and bounded by the price by a constraint.
    pledged_total = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0"))
    store_url = models.URLField("store link", max_length=1000, blank=True)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.WOULD_LOVE)
    category = models.CharField(max_length=60, blank=True)
    note = models.CharField("note to guests", max_length=500, blank=True)
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
            models.CheckConstraint(
                condition=Q(pledged_total=0) | Q(price__isnull=False, pledged_total__lte=F("price")),
                name="items_item_pledged_within_price",
            ),
            models.CheckConstraint(condition=Q(pledged_total__gte=0), name="items_item_pledged_not_negative"),
            models.CheckConstraint(
                condition=Q(group_gift=False) | Q(price__isnull=False, unlimited=False),
                name="items_item_group_gift_priced",
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
        if self.group_gift:
            return units_left and bool(self.left_to_pledge())
        return units_left
