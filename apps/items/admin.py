"""Django admin for gifts (operators); ``apps.reservations.admin`` adds their reservations, read-only."""

from __future__ import annotations

from django.contrib import admin
from django.db import models, transaction
from django.db.models import F

from .models import Item


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "registry",
        "price",
        "currency",
        "quantity",
        "unlimited",
        "reserved_count",
        "hidden",
        "position",
    ]
    list_filter = ["hidden", "unlimited", "group_gift", "priority", "currency"]
    search_fields = ["title", "category", "registry__slug", "registry__partner_one", "registry__partner_two"]
    list_select_related = ["registry"]
    raw_id_fields = ["registry"]
    # reserved_count and pledged_total belong to the reservation services, and
    # received_elsewhere and group_gift to the items services (they check what
    # guests reserved and pledged, and the plan): never edit them by hand.
    readonly_fields = [
        "reserved_count",
        "received_elsewhere",
        "group_gift",
        "pledged_total",
        "cache_version",
        "created_at",
        "updated_at",
    ]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines: list = []  # the apps above add theirs

    def save_model(self, request, obj, form, change) -> None:
        with transaction.atomic():
            if change:
                # Only what the operator changed: a stale reserved_count or
                # cache_version must not overwrite a concurrent update.
                fields = [name for name in form.changed_data if name in {f.name for f in Item._meta.fields}]
                obj.save(update_fields=[*fields, "updated_at"])
                Item.objects.filter(pk=obj.pk).update(cache_version=F("cache_version") + 1)
            else:
                obj.save()
            obj.registry.bump_version()
