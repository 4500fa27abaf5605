"""The loopback stack for the stack tests: started once, stopped at the end whatever happens.

It runs beside the benchmark's stack: ports, run folder, database, cache
prefix and broker database of its own.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.stack.conftest_deploy import site, sshd  # noqa: F401 (the deploy tests' fixtures)

ROOT = Path(__file__).resolve().parent.parent.parent
STACK_SH = ROOT / "scripts" / "stack.sh"


@dataclass(frozen=True)
class Stack:
    """A running stack: where it answers and how to drive it."""

    url: str
    run_dir: Path
    env: dict[str, str]
    ports: tuple[int, ...]

    def sh(self, *args: str, timeout: int = 240) -> subprocess.CompletedProcess:
        """``scripts/stack.sh ARGS`` for this stack, its output captured."""
        return subprocess.run(
            [str(STACK_SH), *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=timeout
        )

    def get(self, path: str, timeout: float = 30, **kwargs) -> requests.Response:
        kwargs.setdefault("allow_redirects", False)
        return requests.get(self.url + path, timeout=timeout, **kwargs)


def listening(port: int) -> bool:
    done = subprocess.run(["ss", "-Htln", f"sport = :{port}"], capture_output=True, text=True, check=False)
    return bool(done.stdout.strip())


@pytest.fixture(scope="session")
def stack():
    nginx_port, web_port = 58180, 58101
    run_dir = ROOT / ".run" / "stack-test"
    env = {
        **os.environ,
        "STACK_RUN_DIR": str(run_dir),
        "NGINX_PORT": str(nginx_port),
        "GUNICORN_PORTS": str(web_port),
        "WEB_CONCURRENCY": "2",
        "STACK_DB_NAME": "whisper_stack_test",
        "STACK_CACHE_PREFIX": "stack-test",
        # (scripts/services.sh's Redis: REDIS_PORT when a run sets its own ports)
        "STACK_BROKER_URL": f"redis://127.0.0.1:{os.environ.get('REDIS_PORT', '56379')}/2",
        "STACK_SETTINGS": "bench.settings",
    }
    running = Stack(f"http://127.0.0.1:{nginx_port}", run_dir, env, (nginx_port, web_port))
    try:
        started = running.sh("up")
        assert started.returncode == 0, started.stdout + started.stderr
        yield running
    finally:
        stopped = running.sh("down", timeout=180)
        assert stopped.returncode == 0, stopped.stdout + stopped.stderr
        still = [port for port in running.ports if listening(port)]
        assert not still, f"ports still held after stack.sh down: {still}"
