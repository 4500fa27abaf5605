"""Once wrote beat's mail schedules; they now live in ``CELERY_BEAT_SCHEDULE``.

Kept (as a no-op) because later migrations may follow it. A database that ran
the old version keeps its rows, named as the settings' entries ("Mail: retry
unsent", "Mail: owners' daily digest", "Mail: guest reminders", "Mail:
thank-you reminders"): beat's DatabaseScheduler updates them in place, so no
job runs twice.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = []
