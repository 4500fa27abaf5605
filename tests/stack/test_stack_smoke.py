"""The real stack (scripts/stack.sh): nginx serves files itself and proxies pages to gunicorn."""

from __future__ import annotations

import datetime
import gzip
import json
from email.utils import parsedate_to_datetime

import pytest

pytestmark = pytest.mark.stack

CSS = "css/whisper.css"


def test_health_answers_through_nginx(stack):
    response = stack.get("/health/")
    # /health/ may not be built yet (404), but nothing on the way may fail.
    assert response.status_code in (200, 404)
    assert response.headers["Server"] == "nginx"


def test_home_page_goes_through_gunicorn(stack):
    response = stack.get("/")
    assert response.status_code == 200
    assert "text/html" in response.headers["Content-Type"]
    assert response.headers["Server"] == "nginx"
    # Django's clickjacking middleware answered, so gunicorn did.
    assert response.headers["X-Frame-Options"] == "DENY"


def test_static_file_is_served_by_nginx_for_ever(stack):
    response = stack.get(f"/static/{CSS}", headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/css"
    assert response.headers["Server"] == "nginx"
    assert "X-Frame-Options" not in response.headers  # Django never saw it
    assert "Cookie" not in response.headers.get("Vary", "")
    cache_control = response.headers["Cache-Control"]
    assert "immutable" in cache_control and "public" in cache_control
    assert "max-age=315360000" in cache_control
    expires = parsedate_to_datetime(response.headers["Expires"])
    assert expires > datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=3650)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert ".btn" in response.text


def test_hashed_static_names_from_collectstatic_are_served(stack):
    manifest = json.loads((stack.run_dir / "static" / "staticfiles.json").read_text())
    hashed = manifest["paths"][CSS]
    assert hashed != CSS
    plain = stack.get(f"/static/{CSS}")
    response = stack.get(f"/static/{hashed}")
    assert response.status_code == 200
    assert response.content == plain.content


def test_text_is_gzipped(stack):
    response = stack.get(f"/static/{CSS}", headers={"Accept-Encoding": "gzip"}, stream=True)
    assert response.headers["Content-Encoding"] == "gzip"
    assert b".btn" in gzip.decompress(response.raw.read())


def test_missing_static_file_is_a_plain_404_from_nginx(stack):
    response = stack.get("/static/no-such-file.css")
    assert response.status_code == 404
    assert "X-Frame-Options" not in response.headers


def test_media_is_served_by_nginx_sandboxed(stack):
    upload = stack.run_dir / "media" / "smoke-test.txt"
    upload.write_text("<script>alert(1)</script>")
    try:
        response = stack.get("/media/smoke-test.txt")
    finally:
        upload.unlink()
    assert response.status_code == 200
    assert response.headers["Server"] == "nginx"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert "max-age=2592000" in response.headers["Cache-Control"]


def test_unknown_host_is_refused_not_an_error(stack):
    response = stack.get("/", headers={"Host": "evil.example"})
    assert response.status_code == 400


def test_supervisor_runs_gunicorn_and_celery(stack):
    status = stack.sh("status")
    assert status.returncode == 0, status.stdout + status.stderr
    for program in ("web:web-58101", "celery:celery-worker", "celery:celery-beat"):
        line = next(line for line in status.stdout.splitlines() if line.startswith(program))
        assert "RUNNING" in line


def test_celery_worker_answers(stack):
    ping = stack.sh(
        "manage", "shell", "-c", "from whisper.celery import app; print(len(app.control.ping(timeout=5)))"
    )
    assert ping.returncode == 0, ping.stderr
    assert int(ping.stdout.strip().splitlines()[-1]) >= 1


def test_up_again_is_harmless(stack):
    again = stack.sh("up")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "already running" in again.stdout
    assert stack.get("/").status_code == 200
