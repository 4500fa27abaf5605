"""``manage.py readonly on|off|status``: flip or show read-only mode."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from apps.ops import read_only


class Command(BaseCommand):
    help = "Turn read-only mode on or off (every write gets a 'back soon' page), or show it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("state", choices=["on", "off", "status"], help="on, off or status")

    def handle(self, *args, state: str, **options) -> None:
        active = read_only.is_active() if state == "status" else read_only.set_active(state == "on")
        self.stdout.write(f"read-only mode is {'on' if active else 'off'}")
