"""A guest's mail waits as ``waiting`` with no send task; beat's ``release_waiting`` queues it when due.

Mails written by the code before this one wait as ``queued`` with a countdown
task on its way: those still waiting become ``waiting`` here, so a newer mail
can replace them. Their old task, if it still comes, finds the row due and
sends it once (a second task finds it sent).
"""

from django.db import migrations, models
from django.utils import timezone


def waiting(apps, schema_editor):
    message = apps.get_model("notifications", "OutgoingMessage")
    message.objects.filter(status="queued", attempts=0, next_attempt_at__gt=timezone.now()).exclude(
        coalesce_key=""
    ).update(status="waiting")


def queued(apps, schema_editor):
    # Back to the code before: a waiting mail has no task, so the periodic retry queues it once due.
    apps.get_model("notifications", "OutgoingMessage").objects.filter(status="waiting").update(
        status="queued"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0004_guest_mail_coalescing"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="outgoingmessage",
            name="notif_outbox_unsent_due",
        ),
        migrations.RemoveIndex(
            model_name="outgoingmessage",
            name="notif_outbox_coalesce",
        ),
        migrations.AlterField(
            model_name="outgoingmessage",
            name="status",
            field=models.CharField(
                choices=[
                    ("waiting", "Waiting"),
                    ("queued", "Queued"),
                    ("sending", "Sending"),
                    ("sent", "Sent"),
                    ("failed", "Failed"),
                    ("skipped", "Skipped"),
                    ("replaced", "Replaced by a newer mail"),
                ],
                default="queued",
                max_length=10,
            ),
        ),
        migrations.AddIndex(
            model_name="outgoingmessage",
            index=models.Index(
                condition=models.Q(("status__in", ["waiting", "queued", "sending"])),
                fields=["next_attempt_at"],
                name="notif_outbox_unsent_due",
            ),
        ),
        migrations.AddIndex(
            model_name="outgoingmessage",
            index=models.Index(
                condition=models.Q(("status", "waiting")),
                fields=["coalesce_key"],
                name="notif_outbox_waiting",
            ),
        ),
        migrations.RunPython(waiting, queued),
    ]
