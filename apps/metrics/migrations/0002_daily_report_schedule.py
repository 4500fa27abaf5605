"""Once wrote beat's daily metrics report; the schedule now lives in ``CELERY_BEAT_SCHEDULE``.

Kept (as a no-op) because later migrations may follow it. A database that ran
the old version keeps its row, named as the settings' entry ("Daily metrics
report"): beat's DatabaseScheduler updates that row in place, so the job never
runs twice.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("metrics", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = []
