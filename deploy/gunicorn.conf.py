"""Gunicorn settings for a Whisper web node; the environment picks the values.

supervisord starts one gunicorn per node (deploy/supervisord-web.conf.template)
with ``--config deploy/gunicorn.conf.py``:

- ``GUNICORN_BIND``: address, e.g. ``127.0.0.1:58001`` (comma list for several)
- ``WEB_CONCURRENCY``: worker processes (default 3, for two cores)
- ``GUNICORN_WORKER_CLASS``: ``sync`` (default), ``gthread`` or ``gevent``
- ``GUNICORN_THREADS``: threads per worker for ``gthread`` (default 1)
- ``GUNICORN_ACCESS_LOG``: a file or ``-``; off by default (nginx logs requests)
"""

from __future__ import annotations

import os
from pathlib import Path


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


wsgi_app = "whisper.wsgi:application"
bind = [b.strip() for b in os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",") if b.strip()]
proc_name = os.environ.get("GUNICORN_NAME", "whisper-web")

workers = _int("WEB_CONCURRENCY", 3)
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = _int("GUNICORN_THREADS", 1)
# Each worker opens its own database pool after the fork: no preloading.
preload_app = False

timeout = _int("GUNICORN_TIMEOUT", 30)  # a worker silent this long is killed
graceful_timeout = 30  # on TERM/HUP, requests in flight get this long to finish
keepalive = 5  # only gthread/gevent keep connections from nginx open
# Recycle workers now and then (a slow leak never grows); the jitter keeps
# them from all restarting at once.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = max_requests // 10

# The heartbeat file on tmpfs: a busy disk never looks like a hung worker.
_SHM = Path("/dev/shm")  # noqa: S108 (gunicorn makes its own private files there)
worker_tmp_dir = str(_SHM) if _SHM.is_dir() else None

# Only nginx on this machine may set X-Forwarded-* for gunicorn's own use.
forwarded_allow_ips = "127.0.0.1,::1"

# gunicorn's control socket (gunicornc) defaults to one path per user, which
# several nodes on a machine would share: one per node, or none.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not control_socket

accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
