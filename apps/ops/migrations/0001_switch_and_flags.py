"""Create the read-only switch (off) and the feature flags (on for everyone)."""

from django.db import migrations

SWITCHES = {
    "read_only": "Read-only mode: every write gets a 'back soon' page. manage.py readonly on|off",
}
FLAGS = {
    "importer": "Add an item from a product link (apps.importer).",
    "group_gifts": "Items that accept contributions toward their price.",
    "digest_mail": "The digest mail to couples.",
}


def create(apps, schema_editor):
    Switch = apps.get_model("waffle", "Switch")
    Flag = apps.get_model("waffle", "Flag")
    for name, note in SWITCHES.items():
        Switch.objects.get_or_create(name=name, defaults={"active": False, "note": note})
    for name, note in FLAGS.items():
        Flag.objects.get_or_create(name=name, defaults={"everyone": True, "note": note})


def remove(apps, schema_editor):
    apps.get_model("waffle", "Switch").objects.filter(name__in=SWITCHES).delete()
    apps.get_model("waffle", "Flag").objects.filter(name__in=FLAGS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("waffle", "0004_update_everyone_nullbooleanfield"),
    ]

    operations = [
        migrations.RunPython(create, remove),
    ]
