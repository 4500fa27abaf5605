"""Import jobs in the Django admin, for operators looking into a failed import.

Read-only: jobs are made by couples and finished by the worker.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import ImportJob


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["url", "registry", "status", "duration_ms", "created_at", "finished_at"]
    list_filter = ["status", "error_code", "created_at"]
    search_fields = ["url", "registry__slug", "created_by__email", "error"]
    list_select_related = ["registry"]
    date_hierarchy = "created_at"
    fields = [
        "registry",
        "created_by",
        "url",
        "status",
        "error_code",
        "error",
        "result",
        "image",
        "duration_ms",
        "created_at",
        "finished_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ImportJob | None = None) -> bool:
        return False
