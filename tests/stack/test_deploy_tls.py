"""HTTPS through the deploy's nginx, on loopback with a self-signed certificate.

The real nginx runs the site template (deploy/nginx.conf.template, rendered by
deploy/render.py as ``fab setup`` renders it) in front of one gunicorn with
production settings, in both of fab's TLS modes:

- ``tls_certificate``: nginx speaks TLS itself and redirects plain HTTP there;
- ``tls_proxy``: a terminator in front speaks TLS, and nginx passes on its
  ``X-Forwarded-Proto``, believed from the terminator's addresses only.

Either way Django must see HTTPS as HTTPS (HSTS, no redirect) and plain HTTP
as plain HTTP (one redirect), never redirecting to itself for ever.
"""

from __future__ import annotations

import http.client
import os
import secrets
import shutil
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from deploy import render
from tests.stack.conftest_deploy import port_open, wait_for

pytestmark = [pytest.mark.stack, pytest.mark.timeout(300)]

ROOT = Path(__file__).resolve().parent.parent.parent
HTTP_PORT, HTTPS_PORT, WEB_PORT, PROXIED_PORT = 52480, 52443, 52481, 52482
DB_NAME = "whisper_tls_test"
HSTS = "max-age=31536000; includeSubDomains; preload"
PAGE = "/faq/?from=test"


def psql(*sql: str) -> None:
    port = os.environ.get("DB_PORT", "55432")
    for statement in sql:
        command = ["psql", "-h", "127.0.0.1", "-p", port, "-U", "whisper", "-d", "postgres", "-qc", statement]
        subprocess.run(command, check=True, capture_output=True)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *(
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=127.0.0.1",
            ),
            *("-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """gunicorn with production settings on WEB_PORT, its assets built as fab deploy builds them."""
    for port in (HTTP_PORT, HTTPS_PORT, WEB_PORT, PROXIED_PORT):
        assert not port_open(port), f"port {port} is taken by another program"
    tmp = tmp_path_factory.mktemp("web")
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "whisper.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DB_NAME": DB_NAME,
        "DB_PORT": os.environ.get("DB_PORT", "55432"),
        "MEMCACHED_LOCATION": os.environ.get("MEMCACHED_LOCATION", "127.0.0.1:51211"),
        "CACHE_KEY_PREFIX": f"tls-test-{uuid.uuid4().hex[:8]}",
        "STATIC_ROOT": str(tmp / "static"),
        "MEDIA_ROOT": str(tmp / "media"),
        "TIMELOG_LOG": str(tmp / "timelog.log"),
        "GUNICORN_BIND": f"127.0.0.1:{WEB_PORT}",
        "WEB_CONCURRENCY": "1",
    }
    psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)", f"CREATE DATABASE {DB_NAME}")
    for command in ("migrate -v 0", "collectstatic --noinput -v 0", "compress --force"):
        done = subprocess.run(
            [sys.executable, "manage.py", *command.split()], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, f"{command}: {done.stderr}"
    with (tmp / "gunicorn.log").open("wb") as log:
        gunicorn = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "--config", "deploy/gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=log,
        )
    try:
        wait_for(lambda: port_open(WEB_PORT) or gunicorn.poll() is not None, 30, "gunicorn")
        assert gunicorn.poll() is None, (tmp / "gunicorn.log").read_text()[-3000:]
        yield tmp
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=60)
        psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


def nginx(name: str, static: Path, port: int, **tls: str) -> Iterator[Path]:
    """The real nginx with the site template rendered for ``tls`` (render's environment names).

    Its run folder is in the checkout's ``.run`` (as the stack's): nginx's
    workers run as nobody and must reach the page cache in it, which pytest's
    private temporary folders would not let them.
    """
    run = ROOT / ".run" / "tls-test" / name
    shutil.rmtree(run, ignore_errors=True)
    env = {"STACK_RUN_DIR": str(run), "NGINX_PORT": str(port), "GUNICORN_PORTS": str(WEB_PORT)}
    env |= {"STATIC_ROOT": str(static / "static"), "MEDIA_ROOT": str(static / "media"), "NGINX_WORKERS": "1"}
    render.render_stack(run, {**env, **tls})
    for folder in ("logs", "tmp"):
        (run / "nginx" / folder).mkdir(parents=True, exist_ok=True)
    nginx_dir, log = run / "nginx", run / "nginx" / "logs" / "error.log"
    conf, prefix = str(nginx_dir / "nginx.conf"), f"{nginx_dir}/"
    command = ["/usr/sbin/nginx", "-c", conf, "-p", prefix, "-e", str(log), "-g", "daemon off;"]
    process = subprocess.Popen(command)
    try:
        wait_for(lambda: port_open(port) or process.poll() is not None, 10, "nginx")
        assert process.poll() is None, log.read_text()[-3000:]
        yield nginx_dir / "logs"
    finally:
        process.send_signal(signal.SIGQUIT)  # graceful stop
        process.wait(timeout=20)


@pytest.fixture(scope="module")
def tls_site(web: Path, certificate: tuple[Path, Path]):
    """nginx speaking TLS itself (fab's tls_certificate and tls_certificate_key)."""
    cert, key = certificate
    tls = {
        "HTTPS_LISTEN": f"127.0.0.1:{HTTPS_PORT}",
        "TLS_CERTIFICATE": str(cert),
        "TLS_CERTIFICATE_KEY": str(key),
    }
    yield from nginx("nginx-tls", web, HTTP_PORT, **tls)


@pytest.fixture(scope="module")
def proxied_site(web: Path):
    """nginx on plain HTTP behind a TLS terminator at 127.0.0.1 (fab's tls_proxy)."""
    yield from nginx("nginx-proxied", web, PROXIED_PORT, TLS_PROXY="127.0.0.1")


def test_https_is_answered_with_hsts(tls_site, certificate):
    response = requests.get(f"https://127.0.0.1:{HTTPS_PORT}{PAGE}", verify=certificate[0], timeout=30)
    assert response.status_code == 200
    assert response.headers["Server"] == "nginx"
    assert response.headers["Strict-Transport-Security"] == HSTS
    assert "<html" in response.text


def test_plain_http_is_redirected_to_https_once(tls_site, certificate):
    moved = requests.get(f"http://127.0.0.1:{HTTP_PORT}{PAGE}", allow_redirects=False, timeout=30)
    assert moved.status_code == 301
    assert moved.headers["Location"] == f"https://127.0.0.1:{HTTPS_PORT}{PAGE}"
    assert "Cross-Origin-Opener-Policy" not in moved.headers  # nginx answered, Django never saw it
    followed = requests.get(f"http://127.0.0.1:{HTTP_PORT}{PAGE}", verify=certificate[0], timeout=30)
    assert followed.status_code == 200
    assert [r.status_code for r in followed.history] == [301]


def test_a_visitor_cannot_pass_for_a_terminator(tls_site, certificate):
    claimed = {"X-Forwarded-Proto": "https"}
    over_http = requests.get(
        f"http://127.0.0.1:{HTTP_PORT}{PAGE}", headers=claimed, allow_redirects=False, timeout=30
    )
    assert over_http.status_code == 301
    # Nor can one talk Django into redirecting HTTPS to HTTPS.
    over_https = requests.get(
        f"https://127.0.0.1:{HTTPS_PORT}{PAGE}",
        headers={"X-Forwarded-Proto": "http"},
        verify=certificate[0],
        allow_redirects=False,
        timeout=30,
    )
    assert over_https.status_code == 200


def test_health_stays_on_plain_http_for_load_balancers(tls_site):
    response = requests.get(f"http://127.0.0.1:{HTTP_PORT}/health/", allow_redirects=False, timeout=30)
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert "Strict-Transport-Security" not in response.headers


def test_behind_a_terminator_its_https_is_believed(proxied_site):
    url = f"http://127.0.0.1:{PROXIED_PORT}{PAGE}"
    secure = requests.get(url, headers={"X-Forwarded-Proto": "https"}, allow_redirects=False, timeout=30)
    assert secure.status_code == 200
    assert secure.headers["Strict-Transport-Security"] == HSTS
    plain = requests.get(url, headers={"X-Forwarded-Proto": "http"}, allow_redirects=False, timeout=30)
    assert plain.status_code == 301
    assert plain.headers["Location"] == f"https://127.0.0.1:{PROXIED_PORT}{PAGE}"
    assert "Cross-Origin-Opener-Policy" in plain.headers  # Django's redirect, for the terminator to follow


def test_behind_a_terminator_visitors_keep_their_own_address(proxied_site):
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    requests.get(f"http://127.0.0.1:{PROXIED_PORT}{PAGE}", headers=headers, timeout=30)
    # What nginx logs is what it tells Django in X-Real-IP ($remote_addr): rate limits count per visitor.
    access_log = proxied_site / "access.log"
    logged = lambda: access_log.exists() and "\n203.0.113.9 - " in "\n" + access_log.read_text()  # noqa: E731
    wait_for(logged, 10, "the visitor's address in nginx's access log")


def test_behind_a_terminator_nobody_else_is_believed(proxied_site):
    # 127.0.0.2 is this machine too, but not the terminator's address.
    connection = http.client.HTTPConnection(
        "127.0.0.1", PROXIED_PORT, timeout=30, source_address=("127.0.0.2", 0)
    )
    try:
        connection.request("GET", PAGE, headers={"X-Forwarded-Proto": "https"})
        response = connection.getresponse()
        assert response.status == 301
        assert response.getheader("Location") == f"https://127.0.0.1:{PROXIED_PORT}{PAGE}"
    finally:
        connection.close()
