"""``manage.py send_metrics_report [--day YYYY-MM-DD]``: mail the daily report to staff now."""

from __future__ import annotations

import argparse
import datetime

from django.core.management.base import BaseCommand

from apps.metrics import services


def _day(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a date like 2025-06-30, not {value!r}") from None


class Command(BaseCommand):
    help = "Mail yesterday's metrics (against the day before and a week before) to every active staff user."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--day", type=_day, help="report this day instead of yesterday (YYYY-MM-DD)")

    def handle(self, *args, day: datetime.date | None = None, **options) -> None:
        report_day = day or services.yesterday()
        sent = services.send_report(report_day)
        if not sent:
            self.stderr.write("No active staff user with an email address: nothing sent.")
            return
        self.stdout.write(f"Sent the metrics report for {report_day} to {sent} staff.")
