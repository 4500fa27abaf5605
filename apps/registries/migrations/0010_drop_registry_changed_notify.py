"""The registry-row trigger of ``registries.0004`` goes: nothing listens any more.

Web processes no longer keep copies of registry rows (guests' pages are kept
by the shared cache in front, nginx or a CDN), so nobody needs to hear when a
row changes. Reversing puts the trigger back, for code that still listens.
"""

import importlib

from django.db import migrations

_notify = importlib.import_module("apps.registries.migrations.0004_registry_changed_notify")


class Migration(migrations.Migration):
    dependencies = [("registries", "0009_merge_dashboard_visits_and_headers")]

    operations = [
        migrations.RunPython(
            _notify._on_postgresql(_notify.DROP), _notify._on_postgresql(_notify.CREATE), elidable=False
        )
    ]
