"""Load through nginx on the isolated stack: no 5xx, and no reservation lost.

``locustfile.py`` runs as its own process for ``RELIABILITY_LOAD_SECONDS``
(60 by default) with 40 users: guests browsing and reserving on a few
registries, couples logged in and editing gifts. Afterwards every reservation
a guest was told about must be a row, with the quantity and state the guest
was last told; no gift may hold more than it wants, each gift's counter must
be the sum of its rows, and each reservation's confirmation must be in the
outbox.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from .conftest import ROOT

LOAD_SECONDS = int(os.environ.get("RELIABILITY_LOAD_SECONDS", "60"))
USERS = 40
SPAWN_RATE = 20
REGISTRIES = 4

pytestmark = [pytest.mark.stack, pytest.mark.timeout(LOAD_SECONDS + 300)]


def _cpu_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the machine so far, from /proc/stat."""
    fields = [int(n) for n in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def _stats(prefix: Path) -> tuple[list[dict], list[dict]]:
    """locust's rows of request stats (the last is "Aggregated") and of failures, from ``--csv prefix``."""
    with Path(f"{prefix}_stats.csv").open() as f:
        rows = list(csv.DictReader(f))
    with Path(f"{prefix}_failures.csv").open() as f:
        failures = list(csv.DictReader(f))
    return rows, failures


def _count(rows: list[dict], method: str, name: str) -> int:
    return sum(int(row["Request Count"]) for row in rows if (row["Type"], row["Name"]) == (method, name))


def test_load_through_nginx_has_no_5xx_and_loses_no_reservation(isolated_stack, figures, tmp_path):
    stack = isolated_stack
    seed = stack.django("seed_load", registries=REGISTRIES)
    seed_file, told, prefix = tmp_path / "seed.json", tmp_path / "told.txt", tmp_path / "load"
    seed_file.write_text(json.dumps(seed))
    command = [str(ROOT / ".venv" / "bin" / "locust"), "-f", str(Path(__file__).with_name("locustfile.py"))]
    command += ["--headless", "-u", str(USERS), "-r", str(SPAWN_RATE), "-t", f"{LOAD_SECONDS}s"]
    command += ["--host", stack.url, "--csv", str(prefix), "--only-summary", "--stop-timeout", "15"]
    command += ["--loglevel", "WARNING"]

    busy_before, total_before = _cpu_ticks()
    started = time.monotonic()
    done = subprocess.run(
        command,
        cwd=tmp_path,
        env={**os.environ, "RELIABILITY_SEED": str(seed_file), "RELIABILITY_TOLD": str(told)},
        capture_output=True,
        text=True,
        timeout=LOAD_SECONDS + 120,
        check=False,
    )
    elapsed = time.monotonic() - started
    busy_after, total_after = _cpu_ticks()
    assert done.returncode in (0, 1), done.stdout + done.stderr  # 1: some requests failed (checked below)
    rows, failures = _stats(prefix)
    aggregated = next(row for row in rows if row["Name"] == "Aggregated")
    requests, failed = int(aggregated["Request Count"]), int(aggregated["Failure Count"])
    server_errors = sum(int(row["Occurrences"]) for row in failures if row["Error"].startswith("5xx"))

    audit = stack.django("audit", told=str(told), slugs=[registry["slug"] for registry in seed["registries"]])

    figures(
        f"load, {USERS} users for {LOAD_SECONDS} s",
        requests=requests,
        requests_per_s=round(float(aggregated["Requests/s"]), 1),
        median_ms=aggregated["50%"],
        p95_ms=aggregated["95%"],
        failures=failed,
        server_errors=server_errors,
        cpu_busy=f"{100 * (busy_after - busy_before) / max(total_after - total_before, 1):.0f}% of 2 cores",
        couples_edits=_count(rows, "POST", "/registries/[slug]/items/[pk]/edit/"),
        reservation_posts=_count(rows, "POST", "/r/[slug]/items/[pk]/reserve/"),
        reservations_told=audit["told_reservations"],
        changes_told=audit["told"].get("changed", 0),
        cancellations_told=audit["told"].get("cancelled", 0),
        rows=audit["rows"],
        lost=len(audit["lost"]),
        untold_rows=len(audit["untold"]),
        rows_differing=len(audit["differing"]),
        items_over_quantity=len(audit["over_quantity"]),
        ran_s=round(elapsed),
    )
    assert requests > 0
    assert _count(rows, "POST", "/accounts/login/") == REGISTRIES  # each couple logged in once
    assert server_errors == 0, failures
    assert failed == 0, failures
    assert audit["told_reservations"] > 0
    assert audit["lost"] == [], "reservations the guests were told about are missing"
    assert audit["untold"] == [], "rows nobody was told about"
    assert audit["differing"] == [], "rows that differ from what the guests were last told"
    assert audit["over_quantity"] == [] and audit["counter_wrong"] == []
    assert audit["mail_missing"] == [], "confirmations missing from the outbox"
