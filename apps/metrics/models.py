"""Daily counters: one row per metric per day, incremented by an atomic upsert."""

from __future__ import annotations

from django.db import models


class Counter(models.Model):
    """How many times ``name`` happened on ``day`` (revenue: how many cents)."""

    day = models.DateField()
    name = models.CharField(max_length=64)
    value = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["day", "name"]
        constraints = [models.UniqueConstraint(fields=["day", "name"], name="metrics_counter_day_name")]

    def __str__(self) -> str:
        return f"{self.day} {self.name}={self.value}"
