"""``manage.py erase_guest_data [--days N]``: erase guests' details past the retention period now."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from apps.privacy import services


class Command(BaseCommand):
    help = (
        "Blank guests' names, email addresses and messages on registries whose event was "
        "WHISPER_GUEST_DATA_RETENTION_DAYS (or --days) ago or more; reservation counts stay."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--days", type=int, help="Retention in days (default: the setting).")

    def handle(self, *args, days: int | None = None, **options) -> None:
        if days is not None and days < 0:
            raise CommandError("--days must be zero or more.")
        cutoff = services.retention_cutoff(days=days)
        erased = services.erase_guest_data(days=days)
        self.stdout.write(
            f"Events on or before {cutoff.isoformat()}: erased guest details on "
            f"{erased.reservations} reservation(s), {erased.pledges} pledge(s), "
            f"{erased.gifts} gift(s) bought elsewhere; deleted {erased.mails} old mail(s)."
        )
