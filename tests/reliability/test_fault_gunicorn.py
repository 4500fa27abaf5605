"""A gunicorn worker killed mid-request: nginx answers the client cleanly, and the master replaces the worker.

The request is ``/bench/sleep/`` (bench settings only), so the test knows it
is still in flight when it SIGKILLs the worker serving it: the one holding
the established connection from nginx on a gunicorn port.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time

import pytest
import requests

from .conftest import wait_for

pytestmark = [pytest.mark.stack, pytest.mark.timeout(300)]

SLEEP = "/bench/sleep/?seconds=4"


def _serving_worker(stack) -> int | None:
    """The PID of the gunicorn process holding an established connection on a gunicorn port."""
    ports = " or ".join(f"sport = :{port}" for port in stack.ports.web)
    done = subprocess.run(
        ["ss", "-Htnp", "state", "established", f"( {ports} )"], capture_output=True, text=True, check=False
    )
    pids = re.findall(r"pid=(\d+)", done.stdout)
    return int(pids[0]) if pids else None


def _kill_mid_request(stack, method: str) -> tuple[requests.Response, int, int]:
    """Send ``method`` to the sleeping view, SIGKILL the worker serving it; the answer, the pid, the port."""
    workers = stack.workers()
    answer: list[requests.Response] = []
    client = threading.Thread(
        target=lambda: answer.append(requests.request(method, stack.url + SLEEP, timeout=60)), daemon=True
    )
    client.start()
    assert wait_for(lambda: _serving_worker(stack) is not None, 10, interval=0.05), (
        "the request never reached a worker"
    )
    pid = _serving_worker(stack)
    [port] = [port for port, pids in workers.items() if pid in pids]
    os.kill(pid, signal.SIGKILL)
    client.join(60)
    assert answer, "the client got no answer"
    return answer[0], pid, port


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_worker_killed_mid_request_is_answered_by_nginx_and_replaced(isolated_stack, figures, method):
    stack = isolated_stack
    masters = stack.web_masters()
    before = stack.workers()
    started = time.monotonic()

    response, killed, port = _kill_mid_request(stack, method)

    answered_in = time.monotonic() - started
    assert response.headers["Server"] == "nginx"
    if method == "GET":
        # nginx retries an idempotent request on the other node (proxy_next_upstream error).
        assert response.status_code == 200, response.text
        assert f"pid {killed}" not in response.text
    else:
        # A POST is never sent twice: nginx's own 502 page, not a dropped connection.
        assert response.status_code == 502
        assert "502 Bad Gateway" in response.text
        assert "X-Frame-Options" not in response.headers  # Django never answered it
    # The master noticed and forked a new worker in place of the killed one.
    assert wait_for(
        lambda: killed not in stack.workers()[port] and len(stack.workers()[port]) == len(before[port]), 20
    )
    new = stack.workers()[port] - before[port]
    assert len(new) == 1
    assert stack.web_masters() == masters
    # Everything serves again, from both nodes once nginx tries the failed one again (fail_timeout 5 s).
    time.sleep(5)
    statuses = [stack.get("/").status_code for _ in range(10)]
    assert statuses == [200] * 10

    figures(
        f"gunicorn worker killed mid-{method}",
        client_got=response.status_code,
        answered_in_s=round(answered_in, 1),
        worker_replaced=f"{killed} -> {new.pop()}",
        requests_after=len(statuses),
        failed_after=0,
    )
