"""Reading timelog files and summarising them: per-view statistics and p95 over time.

Shared by ``manage.py analyze_timelog`` and the staff page. Lines that are not
timelog lines are skipped and reported through a callback, never fatal.
"""

from __future__ import annotations

import datetime
import gzip
import itertools
import json
import math
import re
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

UTC = datetime.UTC
DURATION_RE = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$")
DURATION_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


@dataclass(frozen=True, slots=True)
class Entry:
    """One request, as the middleware logged it."""

    time: datetime.datetime
    view: str
    method: str
    status: int
    ms: float
    queries: int
    cached: bool


def parse_line(line: str) -> Entry | None:
    """The entry on ``line``, or None when it is not a timelog line.

    >>> parse_line('{"time":"2025-06-01T10:00:00.000+00:00","view":"pages:home",'
    ...            '"method":"GET","status":200,"ms":12.5,"queries":3,"cached":false}').view
    'pages:home'
    >>> parse_line("Traceback (most recent call last):") is None
    True
    """
    try:
        data = json.loads(line)
        when = datetime.datetime.fromisoformat(data["time"])
        entry = Entry(
            time=when if when.tzinfo else when.replace(tzinfo=UTC),
            view=str(data["view"]),
            method=str(data["method"]),
            status=int(data["status"]),
            ms=float(data["ms"]),
            queries=int(data["queries"]),
            cached=bool(data.get("cached", False)),
        )
    except (ValueError, TypeError, KeyError):
        return None
    if not math.isfinite(entry.ms) or entry.ms < 0 or entry.queries < 0:
        return None
    return entry


def parse_since(value: str, now: datetime.datetime | None = None) -> datetime.datetime:
    """A point in time from ``7d``/``24h``/``90m``/``2w`` ago, or an ISO date or datetime (UTC).

    >>> now = datetime.datetime(2025, 6, 10, 12, 0, tzinfo=UTC)
    >>> parse_since("36h", now).isoformat()
    '2025-06-09T00:00:00+00:00'
    >>> parse_since("2025-06-01", now).isoformat()
    '2025-06-01T00:00:00+00:00'
    """
    match = DURATION_RE.match(value)
    if match:
        now = now or datetime.datetime.now(UTC)
        return now - datetime.timedelta(**{DURATION_UNITS[match[2]]: int(match[1])})
    try:
        when = datetime.datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(
            f"{value!r} is not a time: use a date (2025-06-01), a date and time "
            "(2025-06-01T14:00) or a duration (90m, 24h, 7d, 2w)"
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _open(path: Path):
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8", errors="replace")
    return path.open(encoding="utf-8", errors="replace")


def read_entries(
    paths: Iterable[Path | str],
    since: datetime.datetime | None = None,
    on_error: Callable[[str, int, str], None] | None = None,
) -> Iterator[Entry]:
    """The entries of whole files (plain or .gz), those before ``since`` left out."""
    for path in map(Path, paths):
        with _open(path) as lines:
            yield from _entries(lines, str(path), since, on_error)


def tail_entries(
    paths: Iterable[Path | str],
    max_bytes: int,
    since: datetime.datetime | None = None,
    on_error: Callable[[str, int, str], None] | None = None,
) -> Iterator[Entry]:
    """The entries in the last ``max_bytes`` of ``paths`` (newest file first: a log and its backups).

    Bounded, so a page can read a log of any size; a line cut by the limit is dropped.
    """
    budget = max_bytes
    chunks: list[tuple[str, list[str]]] = []
    for path in map(Path, paths):
        if budget <= 0:
            break
        try:
            size = path.stat().st_size
            with path.open("rb") as f:
                start = max(size - budget, 0)
                f.seek(start)
                data = f.read(budget)
        except OSError:
            continue
        budget -= len(data)
        lines = data.decode("utf-8", errors="replace").splitlines()
        if start > 0 and lines:
            lines = lines[1:]  # the first line was cut in half
        chunks.append((str(path), lines))
    for name, lines in reversed(chunks):  # oldest first
        yield from _entries(lines, name, since, on_error)


def _entries(lines, name, since, on_error) -> Iterator[Entry]:
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        entry = parse_line(line)
        if entry is None:
            if on_error is not None:
                on_error(name, number, line)
            continue
        if since is None or entry.time >= since:
            yield entry


def rotated_paths(path: Path | str) -> list[Path]:
    """``path`` and its existing rotated backups (``.1``, ``.2``…), newest first."""
    backups = (Path(f"{path}.{n}") for n in itertools.count(1))
    return [Path(path), *itertools.takewhile(Path.exists, backups)]


def percentile(ordered: list[float] | array, q: float) -> float:
    """The nearest-rank ``q``-th percentile of ``ordered`` (sorted, not empty).

    >>> percentile([10, 20, 30, 40, 50], 50), percentile([10, 20, 30, 40, 50], 95)
    (30, 50)
    >>> percentile([15, 20, 35, 40, 50], 30)
    20
    """
    rank = max(math.ceil(q / 100 * len(ordered)), 1)
    return ordered[rank - 1]


@dataclass
class ViewStats:
    """How one view did: request count, time in milliseconds, queries per request."""

    view: str
    count: int
    total_ms: float
    mean_ms: float
    p50_ms: float
    p95_ms: float
    max_ms: float
    queries: float

    @property
    def total_s(self) -> float:
        return self.total_ms / 1000

    def as_dict(self) -> dict:
        return {
            key: round(value, 2) if isinstance(value, float) else value for key, value in asdict(self).items()
        }


def summarize(entries: Iterable[Entry]) -> list[ViewStats]:
    """Per-view statistics, the view with the most total time first."""
    durations: dict[str, array] = defaultdict(lambda: array("d"))
    queries: dict[str, int] = defaultdict(int)
    for entry in entries:
        durations[entry.view].append(entry.ms)
        queries[entry.view] += entry.queries
    stats = []
    for view, values in durations.items():
        ordered = sorted(values)
        total = math.fsum(ordered)
        n = len(ordered)
        stats.append(
            ViewStats(
                view=view,
                count=n,
                total_ms=total,
                mean_ms=total / n,
                p50_ms=percentile(ordered, 50),
                p95_ms=percentile(ordered, 95),
                max_ms=ordered[-1],
                queries=queries[view] / n,
            )
        )
    stats.sort(key=lambda s: (-s.total_ms, s.view))
    return stats


def p95_over_time(
    entries: Iterable[Entry], views: list[str], bucket_seconds: int
) -> tuple[list[datetime.datetime], dict[str, list[float | None]]]:
    """The p95 of each of ``views`` per time bucket, from the first bucket to the last.

    A bucket in which a view had no request is None (a gap in the chart).
    """
    wanted = set(views)
    cells: dict[tuple[int, str], list[float]] = defaultdict(list)
    for entry in entries:
        if entry.view in wanted:
            cells[(int(entry.time.timestamp()) // bucket_seconds, entry.view)].append(entry.ms)
    if not cells:
        return [], {view: [] for view in views}
    first = min(key for key, _ in cells)
    last = max(key for key, _ in cells)
    keys = range(first, last + 1)
    times = [datetime.datetime.fromtimestamp(k * bucket_seconds, UTC) for k in keys]
    series = {
        view: [percentile(sorted(cells[(k, view)]), 95) if (k, view) in cells else None for k in keys]
        for view in views
    }
    return times, series
