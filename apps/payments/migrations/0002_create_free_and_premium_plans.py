"""The two plans Whisper starts with: Free and Premium (editable in the admin afterwards)."""

from decimal import Decimal

from django.db import migrations

PLANS = [
    {
        "slug": "free",
        "name": "Free",
        "price": Decimal("0.00"),
        "currency": "USD",
        "max_items": 30,
        # Guests' privacy is never a paid feature: every registry may use a passphrase.
        "allows_passphrase": True,
        "allows_cover_photo": False,
        "allows_csv_export": False,
        "allows_group_gifts": False,
        "whisper_branding": True,
        "description": "Up to 30 items, public, unlisted or passphrase-protected, Whisper branding in mails.",
    },
    {
        "slug": "premium",
        "name": "Premium",
        "price": Decimal("39.00"),
        "currency": "USD",
        "max_items": None,
        "allows_passphrase": True,
        "allows_cover_photo": True,
        "allows_csv_export": True,
        "allows_group_gifts": True,
        "whisper_branding": False,
        "description": "Unlimited items, passphrase, cover photo, CSV export and group gifts. Pay once.",
    },
]


def create_plans(apps, schema_editor):
    Plan = apps.get_model("payments", "Plan")
    for fields in PLANS:
        Plan.objects.get_or_create(slug=fields["slug"], defaults=fields)


def remove_plans(apps, schema_editor):
    Plan = apps.get_model("payments", "Plan")
    Plan.objects.filter(slug__in=[p["slug"] for p in PLANS], orders__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial")]

    operations = [migrations.RunPython(create_plans, remove_plans)]
