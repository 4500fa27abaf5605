"""Pure helpers of the benchmark (bench/run.py): wrk's and locust's output, forms, the machine, the report.

No network and no Django here, so the doctests and tests/stack/test_bench_helpers.py
and test_bench_report.py can check them quickly. The report: ``markdown`` writes
``docs/benchmark.md`` (this run, its targets, and the run the file held before).
"""

from __future__ import annotations

import csv
import io
import os
import platform
import re
import subprocess
from collections.abc import Callable
from pathlib import Path


def env_int(name: str, default: int, low: int, high: int) -> int:
    """An integer knob from the environment, kept within [low, high].

    >>> env_int("BENCH_DOCTEST_UNSET", 10, 1, 120)
    10
    """
    raw = os.environ.get(name, "").strip()
    value = int(raw) if raw else default
    return min(max(value, low), high)


# wrk's output ------------------------------------------------------------
_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def latency_ms(text: str) -> float:
    """A wrk latency (``812.00us``, ``1.23ms``, ``2.01s``) in milliseconds.

    >>> latency_ms("812.00us"), latency_ms("1.23ms"), latency_ms("2.01s")
    (0.812, 1.23, 2010.0)
    """
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text.strip())
    if not match:
        raise ValueError(f"not a wrk latency: {text!r}")
    return round(float(match.group(1)) * _UNITS_MS[match.group(2)], 3)


def parse_wrk(output: str) -> dict:
    """Requests/s, p50/p99 (ms), requests and failed requests from ``wrk --latency``.

    >>> out = '''Running 3s test @ http://127.0.0.1:58080/bench/floor/
    ...   Latency Distribution
    ...      50%    1.20ms
    ...      75%    1.50ms
    ...      90%    2.00ms
    ...      99%    4.50ms
    ...   3702 requests in 3.00s, 590.00KB read
    ...   Socket errors: connect 0, read 2, write 0, timeout 1
    ...   Non-2xx or 3xx responses: 4
    ... Requests/sec:   1234.50
    ... '''
    >>> parse_wrk(out)
    {'rps': 1234.5, 'p50_ms': 1.2, 'p99_ms': 4.5, 'requests': 3702, 'errors': 7}
    """
    rps = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M)
    total = re.search(r"^\s+(\d+) requests in", output, re.M)
    if not (rps and p50 and p99 and total):
        raise ValueError("unexpected wrk output:\n" + output)
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors += int(non2xx.group(1)) if non2xx else 0
    return {
        "rps": round(float(rps.group(1)), 1),
        "p50_ms": latency_ms(p50.group(1)),
        "p99_ms": latency_ms(p99.group(1)),
        "requests": int(total.group(1)),
        "errors": errors,
    }


def machine() -> str:
    """CPUs, CPU model and memory of this machine, in one line."""
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem_gib = 0.0
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = re.search(r"MemTotal:\s+(\d+) kB", meminfo.read_text())
        mem_gib = int(kib.group(1)) / 1024 / 1024 if kib else 0.0
    return f"{os.cpu_count()} × {model}, {mem_gib:.1f} GiB RAM, {platform.system()} {platform.release()}"


def wrk_version() -> str:
    done = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    return ((done.stdout or done.stderr).splitlines() or [""])[0].strip()


def form_fields(form, values: dict[str, str]) -> dict[str, str]:
    """A form's fields as a browser would send them, with ``values`` filled in by name hints.

    >>> from bs4 import BeautifulSoup
    >>> html = '<form><input type="hidden" name="t" value="x"><input name="guest_email">'
    >>> html += '<textarea name="message"></textarea><select name="q"><option>1</option></select></form>'
    >>> form_fields(BeautifulSoup(html, "html.parser").form, {"email": "a@b.c"})
    {'t': 'x', 'guest_email': 'a@b.c', 'message': '', 'q': '1'}
    """
    data: dict[str, str] = {}
    for tag in form.find_all(["input", "textarea", "select"]):
        name = tag.get("name")
        kind = (tag.get("type") or "text").lower()
        if not name or kind in {"submit", "button", "image", "file", "reset"}:
            continue
        if kind in {"checkbox", "radio"} and not tag.has_attr("checked"):
            continue
        hint = next((v for k, v in values.items() if k in name.lower() or k == kind), None)
        if tag.name == "select":
            option = tag.find("option", selected=True) or tag.find("option")
            value = option.get("value", option.text) if option else ""
        elif tag.name == "textarea":
            value = tag.text
        else:
            value = tag.get("value", "")
        if hint is not None and kind != "hidden":
            value = hint
        data[name] = value
    return data


# locust's CSV (the mixed row) ---------------------------------------------
def _ms(value: str) -> float | None:
    """A locust percentile cell in ms; None where locust had no figure ("N/A")."""
    try:
        return float(value)
    except ValueError:
        return None


def _short(text: str, limit: int = 100) -> str:
    """``text`` cut to ``limit`` characters (locust's errors quote whole exceptions)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_locust(stats_csv: str, failures_csv: str) -> dict:
    """Requests/s, p50/p95/p99 (ms), requests and failures from locust's ``--csv`` files.

    The figures are the "Aggregated" row of ``PREFIX_stats.csv``; ``errors``
    lists ``PREFIX_failures.csv`` as "N × METHOD NAME: ERROR", most frequent first.

    >>> stats = '''Type,Name,Request Count,Failure Count,Requests/s,50%,95%,99%
    ... GET,/r/[slug]/,90,0,9.0,40,120,200
    ... ,Aggregated,100,2,10.04,42,130,210
    ... '''
    >>> failures = '''Method,Name,Error,Occurrences
    ... GET,/search/,5xx 502,2
    ... '''
    >>> parse_locust(stats, failures)["rps"], parse_locust(stats, failures)["errors"]
    (10.0, ['2 × GET /search/: 5xx 502'])
    """
    rows = list(csv.DictReader(io.StringIO(stats_csv)))
    total = next((row for row in rows if row.get("Name") == "Aggregated"), None)
    if total is None:
        raise ValueError("no Aggregated row in locust's stats CSV")
    failed = sorted(csv.DictReader(io.StringIO(failures_csv)), key=lambda row: -int(row["Occurrences"]))
    return {
        "rps": round(float(total["Requests/s"]), 1),
        "p50_ms": _ms(total["50%"]),
        "p95_ms": _ms(total["95%"]),
        "p99_ms": _ms(total["99%"]),
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "errors": [
            f"{row['Occurrences']} × {row['Method']} {row['Name']}: {_short(row['Error'])}" for row in failed
        ],
    }


# docs/benchmark.md: this run and the one before ------------------------------
THIS_RUN, RUN_BEFORE = "## This run", "## The run before"


def previous_run(report: str) -> str:
    """The "This run" section of an earlier ``docs/benchmark.md``: what becomes "The run before".

    A report from before the sections existed gives everything from its
    "Run at commit" line on; a report without a run gives "".

    >>> previous_run("# Benchmark\\n\\n## This run\\n\\nRun at commit a1\\n\\n## The run before\\n\\nold\\n")
    'Run at commit a1'
    >>> previous_run("# Benchmark\\n\\nWritten by make bench.\\n\\nRun at commit b2, on 2 CPUs:\\n| row |\\n")
    'Run at commit b2, on 2 CPUs:\\n| row |'
    >>> previous_run("")
    ''
    """
    if THIS_RUN + "\n" in report:
        section = report.split(THIS_RUN + "\n", 1)[1]
        return re.split(r"^## ", section, maxsplit=1, flags=re.M)[0].strip()
    start = re.search(r"^Run at commit ", report, re.M)
    return report[start.start() :].strip() if start else ""


def two_runs(head: str, this_run: str, earlier_report: str) -> str:
    """``docs/benchmark.md``: ``head``, then ``this_run``, then the run the earlier report held.

    Two runs of ``make bench`` in a row leave both tables.

    >>> print(two_runs("# B", "Run at commit c3", "# B\\n\\n## This run\\n\\nRun at commit a1\\n"), end="")
    # B
    <BLANKLINE>
    ## This run
    <BLANKLINE>
    Run at commit c3
    <BLANKLINE>
    ## The run before
    <BLANKLINE>
    Run at commit a1
    """
    before = previous_run(earlier_report) or "None recorded here."
    parts = [head.strip(), f"{THIS_RUN}\n\n{this_run.strip()}", f"{RUN_BEFORE}\n\n{before}"]
    return "\n\n".join(parts) + "\n"


def _number(value: float | None, digits: int = 0) -> str:
    """A figure as the report shows it: ``digits`` decimals, or fewer for big numbers."""
    if value is None:
        return "n/a"
    return f"{value:.{digits}f}" if digits else f"{value:.{0 if value >= 100 else 1 if value >= 10 else 2}f}"


REPORT_HEAD = """# Benchmark

Written by `make bench` (`bench/run.py`) at the end of each run: do not edit by hand.
Each run moves the table it finds under "This run" to "The run before", so two runs in a row leave both.
The rows and the method: `bench/README.md`; every floor run: `bench/results/latest.json`."""


def _ratio(value: float) -> str:
    return f"{value:.3f} ×"


def targets(rows: dict[str, dict]) -> list[tuple[str, object, Callable, Callable]]:
    """The issue's targets: (target, the figure, whether it is met, the figure as shown); None: n/a."""
    warm, floor, bare, mixed = rows["registry_warm"], rows["floor"], rows["bare"], rows["mixed"]
    warm_p99 = None if None in (warm["p99_ms"], floor["p99_ms"]) else warm["p99_ms"] / floor["p99_ms"]
    # floor_no_timelog's ratio is against the floor runs around it: 1 − 1/ratio is what the middleware costs.
    timelog = rows["floor_no_timelog"]["ratio_to_floor"]
    # bare's ratio is bare over the floor runs around it: the floor is 1/ratio of bare.
    floor_of_bare = 1 / bare["ratio_to_floor"] if bare["ratio_to_floor"] else None
    load = (
        None if not mixed.get("requests") else (mixed["ratio_to_floor"], mixed["p95_ms"], mixed["failures"])
    )

    def at_least(share: float) -> Callable:
        return lambda v: v >= share

    def ratio_of(name: str) -> float | None:
        return rows[name]["ratio_to_floor"]

    return [
        ("warm page ≥ 0.70 × floor", ratio_of("registry_warm"), at_least(0.70), _ratio),
        ("warm page p99 < 4 × floor's", warm_p99, lambda v: v < 4, lambda v: f"{v:.1f} ×"),
        ("304 ≥ 0.90 × floor", ratio_of("registry_304"), at_least(0.90), _ratio),
        ("uncached page ≤ 6 queries", rows["registry_cold"]["queries"], lambda v: v <= 6, str),
        ("timelog < 5 % of the floor", timelog and 1 - 1 / timelog, lambda v: v < 0.05, lambda v: f"{v:.1%}"),
        (
            "floor ≥ 0.80 × bare (Whisper's middleware)",
            floor_of_bare,
            at_least(0.80),
            lambda v: f"{v:.3f} × bare",
        ),
        ("registry_edge ≥ 10 × floor", ratio_of("registry_edge"), at_least(10), _ratio),
        ("registry_cold ≥ 0.03 × floor", ratio_of("registry_cold"), at_least(0.03), _ratio),
        ("dashboard ≥ 0.03 × floor", ratio_of("dashboard"), at_least(0.03), _ratio),
        ("reserve ≥ 0.06 × floor", ratio_of("reserve"), at_least(0.06), _ratio),
        (
            "mixed ≥ 0.05 × floor, p95 < 500 ms, 0 failures",
            load,
            lambda v: v[0] is not None and v[0] >= 0.05 and v[1] is not None and v[1] < 500 and v[2] == 0,
            lambda v: f"{'n/a' if v[0] is None else _ratio(v[0])}, p95 {_number(v[1])} ms, {v[2]} failures",
        ),
    ]


def mixed_line(row: dict, users: int, duration: int) -> str:
    """One line on the mixed row: what locust ran and what came of it."""
    if not row.get("requests"):
        return ""
    return (
        f"mixed: locust with {users} users (tests/reliability/locustfile.py) for {duration}s: "
        f"{row['requests']} requests, p95 {_number(row['p95_ms'])} ms, {row['failures']} failures"
    )


def run_section(results: dict) -> str:
    """This run in ``docs/benchmark.md``: where it ran, the table and the targets."""
    config = results["config"]
    rows = {row["name"]: row for row in results["rows"]}
    lines = [
        f"Run at commit {config['commit']}, {config['started_at']}, on {results['machine']}:",
        f"`wrk -t{config['threads']} -c{config['connections']} -d{config['duration_s']}s` through nginx → "
        f"gunicorn ({config['web_concurrency']} {config['worker_class']} workers on "
        f"{config['gunicorn_ports']}), the demo registry with {config['items']} gifts, "
        f"`{config['settings']}`.",
        "",
        "| row | req/s | p50 ms | p99 ms | × floor | queries |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in results["rows"]:
        figures = [_number(row[key]) for key in ("rps", "p50_ms", "p99_ms")]
        if row["rps"] is None and row.get("note"):
            figures[0] = f"n/a ({row['note']})"
        ratio, queries = _number(row["ratio_to_floor"], 3), row["queries"]
        shown_queries = "-" if row["name"] == "mixed" else "?" if queries is None else queries
        lines.append(f"| {row['name']} | {' | '.join(figures)} | {ratio} | {shown_queries} |")
    mixed_seconds = config.get("mixed_duration_s", config["duration_s"])
    if line := mixed_line(rows["mixed"], config["mixed_users"], mixed_seconds):
        lines += ["", line + "."]

    lines += ["", "| target | result |", "|---|---|"]
    for target, value, met, shown in targets(rows):
        result = "n/a" if value is None else f"{shown(value)} — {'met' if met(value) else '**not met**'}"
        lines.append(f"| {target} | {result} |")
    return "\n".join(lines)


def markdown(results: dict, earlier: str = "") -> str:
    """``docs/benchmark.md`` for ``results`` (latest.json's), with the run ``earlier`` (the old file) held."""
    return two_runs(REPORT_HEAD, run_section(results), earlier)


def as_wrk(headers: dict) -> dict:
    """``headers`` as wrk sends them: no ``Accept-Encoding`` unless the row has one.

    (requests adds ``Accept-Encoding: gzip, deflate`` to every request; a
    None drops it. The registry page has one ETag per encoding, so a probe
    with another encoding than wrk's would check another answer.)
    """
    return {"Accept-Encoding": None, **headers}
