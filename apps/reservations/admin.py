"""Reservations in the Django admin, for operators answering a guest or a couple.

Quantities and states are read-only here: they move only through the
services, which keep the item's ``reserved_count`` in step. Cancelling goes
through the same service, as an admin action.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.items.admin import ItemAdmin

from . import pledges, services
from .models import OffRegistryGift, Pledge, Reservation


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
class ReservationAdmin(admin.ModelAdmin):
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
    search_fields = ["guest_name", "guest_email", "item__title", "item__registry__slug"]
    list_select_related = ["item__registry"]
    date_hierarchy = "created_at"
    readonly_fields = ["item", "quantity", "bought_at", "cancelled_at", "created_at", "updated_at"]
    fields = [
        "item",
        "guest_name",
        "guest_email",
        "message",
        "quantity",
        "thanked",
        "bought_at",
        "cancelled_at",
        "created_at",
        "updated_at",
    ]
    actions = ["cancel_reservations"]

    @admin.display(description="registry", ordering="item__registry__slug")
    def registry(self, obj: Reservation) -> str:
        return obj.item.registry.slug

    @admin.display(boolean=True, description="bought")
    def bought(self, obj: Reservation) -> bool:
        return obj.bought

    @admin.display(boolean=True, description="active")
    def active(self, obj: Reservation) -> bool:
        return obj.is_active

    @admin.action(description="Cancel selected reservations (gives the units back)")
    def cancel_reservations(self, request: HttpRequest, queryset: QuerySet[Reservation]) -> None:
        cancelled = sum(services.cancel(pk) for pk in queryset.values_list("pk", flat=True))
        self.message_user(request, f"Cancelled {cancelled} reservation(s).", messages.SUCCESS)

    # Adding or deleting here would put reserved_count out of step with the reservations.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Reservation | None = None) -> bool:
        return False


@admin.register(Pledge)
class PledgeAdmin(admin.ModelAdmin):
    """Pledges toward group gifts; amounts move only through the pledge services."""

    list_display = ["guest_name", "guest_email", "item", "amount", "created_at", "active", "thanked"]
    list_filter = [("cancelled_at", admin.EmptyFieldListFilter), "thanked", "created_at"]
    search_fields = ["guest_name", "guest_email", "item__title", "item__registry__slug"]
    list_select_related = ["item"]
    date_hierarchy = "created_at"
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
    actions = ["cancel_pledges"]

    @admin.display(boolean=True, description="active")
    def active(self, obj: Pledge) -> bool:
        return obj.is_active

    @admin.action(description="Cancel selected pledges (gives the amounts back)")
    def cancel_pledges(self, request: HttpRequest, queryset: QuerySet[Pledge]) -> None:
        cancelled = sum(pledges.cancel_pledge(pk) for pk in queryset.values_list("pk", flat=True))
        self.message_user(request, f"Cancelled {cancelled} pledge(s).", messages.SUCCESS)

    # Adding or deleting here would put pledged_total out of step with the pledges.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Pledge | None = None) -> bool:
        return False


@admin.register(OffRegistryGift)
class OffRegistryGiftAdmin(admin.ModelAdmin):
    list_display = ["guest_name", "registry", "description", "amount", "currency", "thanked", "created_at"]
    list_filter = ["thanked", "created_at"]
    search_fields = ["guest_name", "guest_email", "description", "registry__slug"]
    list_select_related = ["registry"]
    raw_id_fields = ["registry"]
    date_hierarchy = "created_at"
