"""Django admin for registries (operators)."""

from __future__ import annotations

from django.contrib import admin

from .models import Registry


@admin.register(Registry)
class RegistryAdmin(admin.ModelAdmin):
    list_display = ["slug", "title", "event_date", "privacy", "spoilers", "cache_version", "created_at"]
    list_filter = ["privacy", "spoilers"]
    search_fields = ["slug", "partner_one", "partner_two"]
    date_hierarchy = "created_at"
    raw_id_fields = ["owners"]
    readonly_fields = ["passphrase_hash", "cache_version", "created_at", "updated_at"]

    @admin.display(description="couple", ordering="partner_one")
    def title(self, obj: Registry) -> str:
        return obj.title

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if change:
            # Guests must see the operator's change at once.
            obj.bump_version()
