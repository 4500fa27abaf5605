"""The plans as decided in issue 15: funds and group gifts (and the passphrase) are free;
Premium is unlimited gifts, your own cover photo, the CSV export and no Whisper branding."""

from django.db import migrations


def free_has_group_gifts(apps, schema_editor):
    Plan = apps.get_model("payments", "Plan")
    Plan.objects.filter(slug="free").update(
        allows_group_gifts=True,
        allows_passphrase=True,
        description="Up to 30 gifts, funds and group gifts, passphrase, share card. Free for ever.",
    )
    Plan.objects.filter(slug="premium").update(
        description="Unlimited gifts, your own cover photo, the CSV export, no Whisper branding. Pay once."
    )


class Migration(migrations.Migration):
    dependencies = [("payments", "0003_txn_id_as_long_as_paypals")]

    operations = [migrations.RunPython(free_has_group_gifts, migrations.RunPython.noop)]
