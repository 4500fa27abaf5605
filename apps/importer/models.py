"""An import of a product page: asked for by a couple, done by a worker."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Fetching")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    registry = models.ForeignKey("registries.Registry", on_delete=models.CASCADE, related_name="import_jobs")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    url = models.URLField(max_length=2000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # title, description, image_url, price (string), currency — as read from the page
    result = models.JSONField(default=dict, blank=True)
    # Why it failed (apps/importer/errors.py): the stable code, and the message as the couple read it.
    error_code = models.CharField(max_length=30, blank=True)
    error = models.CharField(max_length=300, blank=True)
    image = models.ImageField(upload_to="imports/%Y/%m/", blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.url} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status != self.Status.PENDING
