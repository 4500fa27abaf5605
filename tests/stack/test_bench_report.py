"""What ``make bench`` writes: docs/benchmark.md keeps the run before, the targets, locust's figures."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.helpers import markdown, parse_locust

DATA = Path(__file__).parent / "data"
# bench/run.py's rows, in its table's order.
ROWS = (
    "floor",
    "floor_no_timelog",
    "bare",
    "registry_warm",
    "registry_warm_gzip",
    "registry_cold",
    "registry_304",
    "dashboard",
    "reserve",
    "registry_edge",
    "static",
    "thumbnail",
    "mixed",
)


def results(commit: str, **ratios: float) -> dict:
    """latest.json of a run at ``commit``: every row at 100 req/s, ``ratios`` as given (others 1.0)."""
    rows = []
    for name in ROWS:
        row = {"name": name, "rps": 100.0, "p50_ms": 5.0, "p99_ms": 9.0, "queries": 0}
        row["ratio_to_floor"] = ratios.get(name, 1.0)
        if name == "mixed":
            row.update(queries=None, p95_ms=ratios.get("mixed_p95", 200.0), requests=900, failures=0)
        rows.append(row)
    config = {
        "commit": commit,
        "started_at": "2026-12-07T07:00:00+0000",
        "threads": 2,
        "connections": 16,
        "duration_s": 10,
        "web_concurrency": 3,
        "worker_class": "sync",
        "gunicorn_ports": "58001",
        "items": 200,
        "settings": "bench.settings",
        "mixed_users": 40,
    }
    return {"machine": "2 × Test CPU, 24.0 GiB RAM", "config": config, "rows": rows}


def test_two_runs_in_a_row_leave_both_tables():
    earlier = (DATA / "benchmark-before-sections.md").read_text()  # as make bench wrote it before

    first = markdown(results("aaa1111"), earlier)
    second = markdown(results("bbb2222"), first)
    third = markdown(results("ccc3333"), second)

    assert "Run at commit b205545" in first.split("## The run before")[1]  # the old format's run kept
    this_run, run_before = second.split("## This run")[1].split("## The run before")
    assert "Run at commit bbb2222" in this_run and "| floor | 100 |" in this_run
    assert "Run at commit aaa1111" in run_before and "| floor | 100 |" in run_before
    assert "2 × Test CPU" in this_run and "2 × Test CPU" in run_before
    assert "aaa1111" not in third and "bbb2222" in third.split("## The run before")[1]
    assert third.count("| target | result |") == 2
    assert third.startswith("# Benchmark\n\nWritten by `make bench`")


def test_targets_of_the_new_rows():
    report = markdown(
        results("ddd4444", bare=1.10, registry_edge=12.0, registry_cold=0.02, reserve=0.07, mixed=0.04)
    )
    cells = [line.strip("| ").split(" | ") for line in report.splitlines() if " — " in line]
    targets = dict(cells)
    assert targets["floor ≥ 0.80 × bare (Whisper's middleware)"] == "0.909 × bare — met"
    assert targets["registry_edge ≥ 10 × floor"] == "12.000 × — met"
    assert targets["registry_cold ≥ 0.03 × floor"] == "0.020 × — **not met**"
    assert targets["reserve ≥ 0.06 × floor"] == "0.070 × — met"
    assert targets["mixed ≥ 0.05 × floor, p95 < 500 ms, 0 failures"] == (
        "0.040 ×, p95 200 ms, 0 failures — **not met**"
    )
    assert "mixed: locust with 40 users (tests/reliability/locustfile.py) for 10s: 900 requests" in report


def test_mixed_row_with_a_slow_p95_misses_its_target():
    report = markdown(results("eee5555", mixed=0.06, mixed_p95=650.0))
    target = "| mixed ≥ 0.05 × floor, p95 < 500 ms, 0 failures |"
    assert f"{target} 0.060 ×, p95 650 ms, 0 failures — **not met** |" in report


def test_an_na_row_says_why():
    data = results("fff6666")
    edge = next(row for row in data["rows"] if row["name"] == "registry_edge")
    edge.update(rps=None, ratio_to_floor=None, note="nginx is not caching the page (X-Cache-Status: absent)")
    report = markdown(data)
    assert "| registry_edge | n/a (nginx is not caching the page (X-Cache-Status: absent)) |" in report
    assert "| registry_edge ≥ 10 × floor | n/a |" in report


def test_locust_figures_of_a_real_run():
    stats = (DATA / "locust-mixed_stats.csv").read_text()
    failures = (DATA / "locust-mixed_failures.csv").read_text()
    result = parse_locust(stats, failures)
    assert result["requests"] > 0 and result["failures"] == 0 and result["errors"] == []
    assert result["rps"] > 0
    assert 0 < result["p50_ms"] <= result["p95_ms"] <= result["p99_ms"]


def test_locust_failures_are_counted_and_named():
    stats = (DATA / "locust-refused_stats.csv").read_text()
    failures = (DATA / "locust-refused_failures.csv").read_text()
    result = parse_locust(stats, failures)
    assert result["failures"] == result["requests"] > 0
    assert result["errors"] and all(" × GET " in error or " × POST " in error for error in result["errors"])
    assert all(len(error) < 200 for error in result["errors"])  # short enough for the row's note
    assert "Connection refused" in " ".join(result["errors"]) or "no answer" in result["errors"][0]


def test_stats_without_an_aggregated_row_are_refused():
    with pytest.raises(ValueError, match="Aggregated"):
        parse_locust("Type,Name,Request Count\nGET,/,3\n", "Method,Name,Error,Occurrences\n")
