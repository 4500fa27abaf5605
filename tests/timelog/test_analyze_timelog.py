"""``manage.py analyze_timelog``: per-view statistics of timelog files.

data/sample.log holds, besides two broken lines (4 and 8):
pages:home 5, 7, 6 ms; registries:public 10, 20, 30, 40 ms (3 queries each)
and 100 ms (4 queries) on 3 June; items:add 250 ms (12 queries) on 3 June.
"""

from __future__ import annotations

import gzip
import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

SAMPLE = Path(__file__).parent / "data" / "sample.log"


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("analyze_timelog", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def table_rows(output: str) -> dict[str, list[str]]:
    """The table's rows by view, header and rule left out."""
    rows = [line.split() for line in output.splitlines()[2:]]
    return {row[0]: row[1:] for row in rows}


def test_the_table_has_count_total_mean_p50_p95_max_and_queries_sorted_by_total_time():
    out, _ = run(str(SAMPLE))

    header = out.splitlines()[0].split()
    assert header[:2] == ["view", "count"]
    rows = table_rows(out)
    #                      count  total s  mean    p50    p95    max    queries
    assert rows["items:add"] == ["1", "0.25", "250.0", "250.0", "250.0", "250.0", "12.0"]
    assert rows["registries:public"] == ["5", "0.20", "40.0", "30.0", "100.0", "100.0", "3.2"]
    assert rows["pages:home"] == ["3", "0.02", "6.0", "6.0", "7.0", "7.0", "0.0"]
    assert list(rows) == ["items:add", "registries:public", "pages:home"]


def test_broken_lines_are_skipped_with_a_warning():
    out, err = run(str(SAMPLE))

    assert f"{SAMPLE}:4: not a timelog line" in err
    assert f"{SAMPLE}:8: not a timelog line" in err
    assert "registries:public" in out


def test_json_output():
    out, _ = run(str(SAMPLE), "--json")

    rows = {row["view"]: row for row in json.loads(out)}
    assert rows["registries:public"] == {
        "view": "registries:public",
        "count": 5,
        "total_ms": 200.0,
        "mean_ms": 40.0,
        "p50_ms": 30.0,
        "p95_ms": 100.0,
        "max_ms": 100.0,
        "queries": 3.2,
    }
    assert [row["view"] for row in json.loads(out)] == ["items:add", "registries:public", "pages:home"]


def test_since_keeps_only_later_requests():
    out, _ = run(str(SAMPLE), "--since", "2025-06-03", "--json")

    rows = {row["view"]: row for row in json.loads(out)}
    assert set(rows) == {"items:add", "registries:public"}
    assert (rows["registries:public"]["count"], rows["registries:public"]["queries"]) == (1, 4.0)


def test_since_accepts_a_duration_and_nothing_recent_says_so():
    out, _ = run(str(SAMPLE), "--since", "24h")

    assert out.strip() == "No requests in the timelog since then."


def test_a_bad_since_is_a_clear_error():
    with pytest.raises(CommandError, match="not a time"):
        run(str(SAMPLE), "--since", "last tuesday")


def test_percentiles_are_nearest_rank(tmp_path):
    log = tmp_path / "timelog.log"
    log.write_text(
        "".join(
            json.dumps(
                {"time": "2025-06-01T10:00:00+00:00", "view": "v", "method": "GET", "status": 200}
                | {"ms": ms, "queries": 1, "cached": False}
            )
            + "\n"
            for ms in range(20, 0, -1)  # 20 … 1 ms, out of order
        )
    )

    [row] = json.loads(run(str(log), "--json")[0])

    assert (row["p50_ms"], row["p95_ms"], row["max_ms"], row["mean_ms"]) == (10.0, 19.0, 20.0, 10.5)


def test_several_files_and_gzipped_backups_add_up(tmp_path):
    backup = tmp_path / "timelog.log.1.gz"
    with SAMPLE.open("rb") as source, gzip.open(backup, "wb") as target:
        shutil.copyfileobj(source, target)

    rows = {row["view"]: row for row in json.loads(run(str(SAMPLE), str(backup), "--json")[0])}

    assert rows["registries:public"]["count"] == 10
    assert rows["registries:public"]["p95_ms"] == 100.0


def test_the_default_is_the_configured_timelog_and_its_backups(settings, tmp_path):
    settings.TIMELOG_LOG = tmp_path / "timelog.log"
    shutil.copy(SAMPLE, settings.TIMELOG_LOG)
    shutil.copy(SAMPLE, tmp_path / "timelog.log.1")

    out, _ = run("--limit", "1")

    assert table_rows(out) == {"items:add": ["2", "0.50", "250.0", "250.0", "250.0", "250.0", "12.0"]}


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="No such timelog file"):
        run(str(tmp_path / "nope.log"))


def test_a_broken_gzip_file_is_a_clear_error(tmp_path):
    broken = tmp_path / "timelog.log.2.gz"
    broken.write_bytes(b"not gzip at all")

    with pytest.raises(CommandError, match="Cannot read the timelog"):
        run(str(broken))
