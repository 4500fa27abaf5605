"""Guests' claims in the Django admin, for operators answering a guest or a couple.

Quantities, amounts and states are read-only here: they move only through the
claim services, which keep the item's running totals in step. Cancelling goes
through the same service, as an admin action.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.items.admin import ItemAdmin

from . import services
from .models import Claim, OffRegistryGift, Pledge, Reservation


class ClaimAdmin(admin.ModelAdmin):
    """What every kind of claim shows; ``kind`` says which lifecycle cancels it."""

    kind: services.ClaimKind
    search_fields = ["guest_name", "guest_email", "item__title", "item__registry__slug"]
    date_hierarchy = "created_at"
    actions = ["cancel_claims"]

    @admin.display(boolean=True, description="active")
    def active(self, obj: Claim) -> bool:
        return obj.is_active

    @admin.action(description="Cancel selected (gives back what they hold)")
    def cancel_claims(self, request: HttpRequest, queryset: QuerySet) -> None:
        cancelled = sum(self.kind.cancel(pk) for pk in queryset.values_list("pk", flat=True))
        self.message_user(request, f"Cancelled {cancelled} {self.opts.verbose_name}(s).", messages.SUCCESS)

    # Adding or deleting here would put the item's running total out of step with its claims.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Claim | None = None) -> bool:
        return False


class ReservationInline(admin.TabularInline):
    model = Reservation
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ["guest_name", "guest_email", "quantity", "message", "bought_at", "cancelled_at", "thanked"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


# A gift's page in the admin lists its reservations (the items app stands below this one).
ItemAdmin.inlines = [*ItemAdmin.inlines, ReservationInline]


@admin.register(Reservation)
class ReservationAdmin(ClaimAdmin):
    kind = services.UNITS
    list_display = [
        "guest_name",
        "guest_email",
        "item",
        "registry",
        "quantity",
        "created_at",
        "bought",
        "active",
    ]
    list_filter = [
        ("cancelled_at", admin.EmptyFieldListFilter),
        ("bought_at", admin.EmptyFieldListFilter),
        "thanked",
        "created_at",
    ]
    list_select_related = ["item", "registry"]
    readonly_fields = ["item", "quantity", "bought_at", "cancelled_at", "created_at", "updated_at"]
    fields = ["item", "guest_name", "guest_email", "message", "quantity", "thanked", *readonly_fields[2:]]

    @admin.display(description="registry", ordering="registry__slug")
    def registry(self, obj: Reservation) -> str:
        return obj.registry.slug if obj.registry else ""

    @admin.display(boolean=True, description="bought")
    def bought(self, obj: Reservation) -> bool:
        return obj.bought


@admin.register(Pledge)
class PledgeAdmin(ClaimAdmin):
    kind = services.AMOUNTS
    list_display = ["guest_name", "guest_email", "item", "amount", "created_at", "active", "thanked"]
    list_filter = [("cancelled_at", admin.EmptyFieldListFilter), "thanked", "created_at"]
    list_select_related = ["item"]
    readonly_fields = ["item", "amount", "cancelled_at", "created_at", "updated_at"]
    fields = [
        "item",
        "guest_name",
        "guest_email",
        "message",
        "amount",
        "thanked",
        "cancelled_at",
        "created_at",
    ]


@admin.register(OffRegistryGift)
class OffRegistryGiftAdmin(admin.ModelAdmin):
    list_display = ["guest_name", "registry", "description", "amount", "currency", "thanked", "created_at"]
    list_filter = ["thanked", "created_at"]
    search_fields = ["guest_name", "guest_email", "description", "registry__slug"]
    list_select_related = ["registry"]
    raw_id_fields = ["registry"]
    date_hierarchy = "created_at"
