"""Celery beat's schedules for mail (django-celery-beat's tables).

Every minute: queue again the mail whose task was lost. Daily, UTC: the
owners' digest at 07:00, guest reminders at 09:00, thank-you reminders at 10:00.
"""

from django.db import migrations

EVERY_MINUTE = {"Mail: retry unsent": "apps.notifications.tasks.retry_unsent"}
DAILY = {
    "Mail: owners' daily digest": ("apps.notifications.tasks.send_digests", "7"),
    "Mail: guest reminders": ("apps.notifications.tasks.send_guest_reminders", "9"),
    "Mail: thank-you reminders": ("apps.notifications.tasks.send_thank_you_reminders", "10"),
}


def schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    minute, _ = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    for name, task in EVERY_MINUTE.items():
        PeriodicTask.objects.update_or_create(
            name=name, defaults={"task": task, "interval": minute, "crontab": None, "enabled": True}
        )
    for name, (task, hour) in DAILY.items():
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute="0", hour=hour, day_of_week="*", day_of_month="*", month_of_year="*", timezone="UTC"
        )
        PeriodicTask.objects.update_or_create(
            name=name, defaults={"task": task, "crontab": crontab, "interval": None, "enabled": True}
        )


def unschedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[*EVERY_MINUTE, *DAILY]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
