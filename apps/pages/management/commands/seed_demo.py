"""``manage.py seed_demo``: load the demo registry (idempotent).

python manage.py seed_demo               # Alex & Sam, ~two dozen gifts
python manage.py seed_demo --items 200   # at least 200 gifts (the benchmark)
python manage.py seed_demo --with-staff  # also admin@example.com / whisper-admin
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.pages import demo


class Command(BaseCommand):
    help = "Create the demo owner and the public registry /r/alex-and-sam/; add only what is missing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--items",
            type=int,
            default=0,
            metavar="N",
            help="Make sure the demo registry has at least N gifts, generating more if needed.",
        )
        parser.add_argument(
            "--with-staff",
            action="store_true",
            help=f"Also create the staff user {demo.STAFF_EMAIL} (password {demo.STAFF_PASSWORD}).",
        )

    def handle(self, *args, items: int, with_staff: bool, **options) -> None:
        if items < 0 or items > 10_000:
            raise CommandError("--items must be between 0 and 10000.")
        result = demo.seed(min_items=items, with_staff=with_staff)
        done = ", ".join(result.created) if result.created else "nothing (already seeded)"
        self.stdout.write(f"Added {done}.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo registry {result.registry.get_absolute_url()}: {result.items} gifts, "
                f"{result.reservations} active reservations. "
                f"Log in as {demo.DEMO_EMAIL} / {demo.DEMO_PASSWORD}."
            )
        )
