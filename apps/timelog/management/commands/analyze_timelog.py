"""``manage.py analyze_timelog [FILE ...]``: the slowest views, as django-timelog reported them.

A table of views sorted by total time with count, mean, p50, p95, max and
queries per request; ``--since`` keeps recent requests only, ``--json`` prints
machine-readable rows. Lines that are not timelog lines are skipped with a warning.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.timelog.analysis import ViewStats, parse_since, read_entries, rotated_paths, summarize

MAX_WARNINGS = 10
COLUMNS = [
    ("view", "view", "<"),
    ("count", "count", ">"),
    ("total s", "total_ms", ">"),
    ("mean ms", "mean_ms", ">"),
    ("p50 ms", "p50_ms", ">"),
    ("p95 ms", "p95_ms", ">"),
    ("max ms", "max_ms", ">"),
    ("queries", "queries", ">"),
]


def _since(value: str):
    try:
        return parse_since(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _cell(stats: ViewStats, attr: str) -> str:
    value = getattr(stats, attr)
    if attr == "total_ms":
        return f"{value / 1000:.2f}"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def format_table(stats: list[ViewStats]) -> str:
    """The stats as an aligned text table."""
    rows = [[header for header, _, _ in COLUMNS]]
    rows += [[_cell(s, attr) for _, attr, _ in COLUMNS] for s in stats]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = []
    for number, row in enumerate(rows):
        lines.append(
            "  ".join(
                f"{cell:{align}{width}}"
                for cell, (_, _, align), width in zip(row, COLUMNS, widths, strict=True)
            )
        )
        if number == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)


class Command(BaseCommand):
    help = (
        "Summarise timelog files (default: TIMELOG_LOG and its rotated backups): per view, "
        "the request count, the total, mean, p50, p95 and max time and the queries per request, "
        "slowest total first."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("files", nargs="*", type=Path, help="timelog files (plain or .gz)")
        parser.add_argument(
            "--since",
            type=_since,
            help="only requests since this time: 2025-06-01, 2025-06-01T14:00, or 90m, 24h, 7d, 2w ago",
        )
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="print JSON instead of a table"
        )
        parser.add_argument("--limit", type=int, default=0, help="show only the N slowest views")

    def handle(self, *args, files: list[Path], since=None, as_json: bool = False, limit: int = 0, **options):
        paths = files or rotated_paths(settings.TIMELOG_LOG)
        missing = [str(p) for p in paths if not p.is_file()]
        if missing:
            raise CommandError(f"No such timelog file: {', '.join(missing)}")
        skipped = 0

        def warn(name: str, number: int, line: str) -> None:
            nonlocal skipped
            skipped += 1
            if skipped <= MAX_WARNINGS:
                self.stderr.write(f"warning: {name}:{number}: not a timelog line, skipped: {line[:80]!r}")

        try:
            stats = summarize(read_entries(paths, since=since, on_error=warn))
        except OSError as exc:  # unreadable, or a broken .gz
            raise CommandError(f"Cannot read the timelog: {exc}") from None
        if skipped > MAX_WARNINGS:
            self.stderr.write(f"warning: {skipped - MAX_WARNINGS} more lines skipped")
        if limit > 0:
            stats = stats[:limit]
        if as_json:
            self.stdout.write(json.dumps([s.as_dict() for s in stats], indent=2))
        elif stats:
            self.stdout.write(format_table(stats))
        else:
            self.stdout.write("No requests in the timelog" + (" since then." if since else "."))
