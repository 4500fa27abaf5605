"""The plans as the migrations leave them, for tests that run after a flush (transactional tests)."""

from __future__ import annotations

import importlib

from django.apps import apps as django_apps


def create_plans() -> None:
    """Free and Premium (migration 0002), as issue 15 decided them (0004). Idempotent."""
    importlib.import_module("apps.payments.migrations.0002_create_free_and_premium_plans").create_plans(
        django_apps, None
    )
    importlib.import_module("apps.payments.migrations.0004_free_plan_has_group_gifts").free_has_group_gifts(
        django_apps, None
    )
