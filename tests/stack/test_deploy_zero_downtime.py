"""Zero downtime: ``fab deploy`` and ``fab rollback`` while wrk keeps asking nginx for pages.

wrk runs on loopback against nginx for exactly as long as the fab task (it
is bounded by ``-d`` and stopped with SIGINT once fab is done), with a small
Lua script that counts every response that is not 2xx (wrk itself only
counts 4xx and 5xx) and which release answered each request.
"""

from __future__ import annotations

import contextlib
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.helpers import parse_wrk
from tests.stack.conftest_deploy import WEB_PORTS

# The first test also waits for fab setup + deploy (pip install included): a longer budget.
pytestmark = [pytest.mark.stack, pytest.mark.timeout(900)]

COUNT_LUA = """
non2xx = 0
releases = {}
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function response(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
  local release = headers["X-Whisper-Release"] or "none"
  releases[release] = (releases[release] or 0) + 1
end

function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    io.write(string.format("lua non-2xx: %d\\n", thread:get("non2xx")))
    for release, count in pairs(thread:get("releases")) do
      io.write(string.format("lua release %s: %d\\n", release, count))
    end
  end
end
"""


@contextlib.contextmanager
def traffic(site, tmp_path: Path) -> Iterator[dict]:
    """wrk against nginx's home page while the block runs; the dict fills in afterwards."""
    script = tmp_path / "count.lua"
    script.write_text(COUNT_LUA)
    wrk = ["wrk", "-t1", "-c2", "-d300s", "--timeout", "30s", "--latency", "-s", str(script), f"{site.url}/"]
    process = subprocess.Popen(wrk, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    result: dict = {}
    try:
        time.sleep(1)  # traffic flows before the change starts
        yield result
        time.sleep(1)
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)
    result.update(parse_wrk(output))
    result["output"] = output
    result["non2xx"] = sum(int(n) for n in re.findall(r"^lua non-2xx: (\d+)$", output, re.M))
    result["releases"] = {
        name: int(count) for name, count in re.findall(r"^lua release (\S+): (\d+)$", output, re.M)
    }


def assert_nothing_dropped(load: dict, *releases: str) -> None:
    assert load["requests"] > 20, load["output"]
    assert load["errors"] == 0, load["output"]  # socket errors, 4xx and 5xx
    assert load["non2xx"] == 0, load["output"]  # and no 3xx either
    # Requests were answered by the old and the new release: the switch happened under load.
    assert set(load["releases"]) == set(releases), load["output"]


def assert_everyone_runs(site, release: str) -> None:
    assert site.current() == release
    assert site.release() == release
    for port in WEB_PORTS:
        assert site.release(port) == release, f"gunicorn on {port} still runs old code"


def releases_on_disk(site) -> list[str]:
    return sorted(path.name for path in (site.prefix / "releases").iterdir() if path.is_dir())


def test_deploying_a_new_revision_drops_no_request(site, tmp_path):
    before = site.current()
    revision = site.commit("A new release", "CHANGES-deploy-test.txt", f"released at {time.time()}\n")
    with traffic(site, tmp_path) as load:
        out = site.fab_ok("deploy", f"--revision={revision}", timeout=900)
    new = site.current()
    assert new != before and new.endswith(f"-{revision[:12]}")
    assert_nothing_dropped(load, before, new)
    assert_everyone_runs(site, new)
    assert "HUP (graceful reload)" in out and "celery worker and beat: restart" in out
    # Same requirements: the shared virtualenv was reused, and it is the only one.
    assert "requirements unchanged" in out
    venvs = {path.name for path in (site.prefix / "shared" / "venvs").iterdir()}
    assert len(venvs) == 2 and "supervisor" in venvs
    assert len(releases_on_disk(site)) <= 3  # keep_releases


def test_rolling_back_drops_no_request(site, tmp_path):
    if releases_on_disk(site).index(site.current()) == 0:  # nothing older yet
        site.fab_ok("deploy", f"--revision={site.commit('Next', 'CHANGES-deploy-test.txt', 'next')}")
    current = site.current()
    previous = releases_on_disk(site)[releases_on_disk(site).index(current) - 1]
    with traffic(site, tmp_path) as load:
        out = site.fab_ok("rollback", timeout=900)
    assert f"rolled back from {current} to {previous}" in out
    assert_nothing_dropped(load, current, previous)
    assert_everyone_runs(site, previous)
    assert current in releases_on_disk(site)  # still there, to deploy forward again


def test_a_release_failing_its_health_check_is_rolled_back(site, tmp_path):
    before = site.current()
    # A release whose settings point at a broker nobody runs: /health/ answers 503.
    broken = site.commit(
        "Broken broker",
        "whisper/settings/production.py",
        '\nCELERY_BROKER_URL = "redis://127.0.0.1:1/0"\n',
        append=True,
    )
    with traffic(site, tmp_path) as load:
        done = site.fab("deploy", f"--revision={broken}", timeout=900)
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert "/health/ through nginx did not answer 200" in out
    failed = re.search(r"; deleted (\S+)", out).group(1)
    assert failed.endswith(f"-{broken[:12]}")
    assert f"back on {before}" in out
    assert_everyone_runs(site, before)
    assert site.get("/health/").status_code == 200
    # The failed release is gone, so no later rollback can land on it.
    assert failed not in releases_on_disk(site)
    # Pages kept coming (a page does not need the broker), from both releases.
    assert_nothing_dropped(load, before, failed)


def test_a_revision_that_does_not_build_changes_nothing(site):
    before, releases = site.current(), releases_on_disk(site)
    broken = site.commit("Not Python", "whisper/settings/production.py", "\nnot python\n", append=True)
    done = site.fab("deploy", f"--revision={broken}")
    out = done.stdout + done.stderr
    assert done.returncode == 1, out
    assert "collectstatic failed" in out and "NameError: name 'python' is not defined" in out
    assert releases_on_disk(site) == releases  # the half-built release is gone
    assert_everyone_runs(site, before)
