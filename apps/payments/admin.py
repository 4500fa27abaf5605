"""Admin for plans, orders and the decision taken on every IPN."""

from __future__ import annotations

from django.contrib import admin

from .models import IpnDecision, Order, Plan


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "price",
        "currency",
        "max_items",
        "allows_passphrase",
        "allows_cover_photo",
        "allows_csv_export",
        "allows_group_gifts",
        "whisper_branding",
        "active",
    ]
    list_editable = ["active"]
    prepopulated_fields = {"slug": ["name"]}


class DecisionInline(admin.TabularInline):
    model = IpnDecision
    extra = 0
    can_delete = False
    fields = ["created_at", "ipn", "action", "outcome", "txn_id", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = [
        "invoice",
        "registry",
        "plan",
        "amount",
        "currency",
        "status",
        "txn_id",
        "created_at",
        "paid_at",
    ]
    list_filter = ["status", "plan", "currency"]
    search_fields = ["invoice", "txn_id", "payer_email", "registry__slug"]
    list_select_related = ["registry", "plan"]
    date_hierarchy = "created_at"
    # Orders move only through the IPN services; staff read them here.
    readonly_fields = [
        "invoice",
        "registry",
        "plan",
        "created_by",
        "amount",
        "currency",
        "status",
        "txn_id",
        "payer_email",
        "created_at",
        "paid_at",
        "updated_at",
    ]
    inlines = [DecisionInline]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(IpnDecision)
class IpnDecisionAdmin(admin.ModelAdmin):
    list_display = ["created_at", "ipn", "order", "action", "outcome", "txn_id", "reason"]
    list_filter = ["outcome", "action"]
    search_fields = ["txn_id", "reason", "order__invoice"]
    list_select_related = ["ipn", "order"]
    readonly_fields = ["ipn", "order", "outcome", "action", "txn_id", "reason", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
