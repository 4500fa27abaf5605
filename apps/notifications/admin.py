"""Admin for the outbox (with a "send again" action), suppressions and preferences."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction
from django.utils import timezone

from . import outbox
from .models import GuestReminder, OutgoingMessage, RegistryPreference, SuppressedAddress


@admin.register(OutgoingMessage)
class OutgoingMessageAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "template",
        "to",
        "kind",
        "status",
        "attempts",
        "sent_at",
        "provider_message_id",
    ]
    list_filter = ["status", "kind", "template"]
    search_fields = ["to", "subject", "provider_message_id"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in OutgoingMessage._meta.fields]
    actions = ["send_again"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="Send again (failed or skipped messages)")
    def send_again(self, request, queryset) -> None:
        with transaction.atomic():
            ids = list(
                queryset.filter(status__in=[OutgoingMessage.Status.FAILED, OutgoingMessage.Status.SKIPPED])
                .select_for_update()
                .values_list("pk", flat=True)
            )
            OutgoingMessage.objects.filter(pk__in=ids).update(
                status=OutgoingMessage.Status.QUEUED,
                attempts=0,
                next_attempt_at=timezone.now(),
                last_error="",
            )
            for pk in ids:
                outbox.enqueue_on_commit(pk)
        messages.success(request, f"{len(ids)} message(s) queued again.")


@admin.register(SuppressedAddress)
class SuppressedAddressAdmin(admin.ModelAdmin):
    list_display = ["email", "reason", "description", "updated_at"]
    list_filter = ["reason"]
    search_fields = ["email"]


@admin.register(RegistryPreference)
class RegistryPreferenceAdmin(admin.ModelAdmin):
    list_display = ["registry", "owner_mail", "last_digest_at", "thank_you_reminded_at"]
    list_filter = ["owner_mail"]
    raw_id_fields = ["registry"]


@admin.register(GuestReminder)
class GuestReminderAdmin(admin.ModelAdmin):
    list_display = ["reservation", "created_at"]
    raw_id_fields = ["reservation"]
