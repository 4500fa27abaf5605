"""Once wrote beat's daily erasure of guest data; the schedule now lives in ``CELERY_BEAT_SCHEDULE``.

Kept (as a no-op) because later migrations may follow it. A database that ran
the old version keeps its row, named as the settings' entry ("Erase guest data
past retention"): beat's DatabaseScheduler updates it in place, so the job
never runs twice.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = []
