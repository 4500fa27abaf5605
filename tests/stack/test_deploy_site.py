"""Whisper deployed by the real ``fab`` over SSH: what nginx serves itself, what Django answers.

The ``site`` fixture (tests/stack/conftest_deploy.py) ran ``fab setup`` and
``fab deploy`` into ``.run/deploy-test/`` and loaded the demo data.
"""

from __future__ import annotations

import datetime
import io
import json
import re
from email.utils import parsedate_to_datetime

import pytest
from bs4 import BeautifulSoup
from PIL import Image

from bench.helpers import form_fields
from tests.stack.conftest_deploy import WEB_PORTS

# The first test also waits for fab setup + deploy (pip install included): a longer budget.
pytestmark = [pytest.mark.stack, pytest.mark.timeout(900)]

SLUG = "alex-and-sam"


def test_health_is_ok_through_nginx_and_names_the_release(site):
    response = site.get("/health/")
    assert response.status_code == 200, response.text
    assert response.headers["Server"] == "nginx"
    assert response.json()["status"] == "ok"
    assert response.json()["checks"]["broker"] == "ok"  # the real Redis, not eager tasks
    assert response.headers["X-Whisper-Release"] == site.current()
    assert (site.prefix / "current" / "RELEASE").read_text().strip() == site.current()


@pytest.mark.parametrize("path", ["/", f"/r/{SLUG}/", "/accounts/login/", "/search/?q=alex"])
def test_pages_render_through_nginx_from_django(site, path):
    response = site.get(path)
    assert response.status_code == 200
    assert response.headers["Server"] == "nginx"
    assert response.headers["X-Frame-Options"] == "DENY"  # Django's middleware answered
    assert "<html" in response.text


def test_public_registry_shows_the_demo_gifts(site):
    response = site.get(f"/r/{SLUG}/")
    assert "Alex" in response.text and "Sam" in response.text
    assert "Espresso machine" in response.text


def test_static_files_are_served_by_nginx_for_ever(site):
    home = BeautifulSoup(site.get("/").text, "html.parser")
    stylesheet = home.find("link", rel="stylesheet")["href"]
    # Hashed by collectstatic's manifest, or by compressor's offline output.
    assert stylesheet.startswith("/static/") and re.search(r"\.[0-9a-f]{12}\.css$", stylesheet)
    response = site.get(stylesheet, headers={"Accept-Encoding": "identity"})
    assert response.status_code == 200
    assert response.headers["Server"] == "nginx"
    assert response.headers["Content-Type"] == "text/css"
    assert "X-Frame-Options" not in response.headers  # Django never saw the request
    assert "X-Whisper-Release" not in response.headers
    assert "immutable" in response.headers["Cache-Control"]
    expires = parsedate_to_datetime(response.headers["Expires"])
    assert expires > datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=3650)
    assert response.headers["ETag"] and response.headers["Last-Modified"]
    assert ".btn" in response.text


def test_each_release_collects_its_own_static_files_and_publishes_them(site):
    manifest = json.loads((site.prefix / "current" / ".run" / "static" / "staticfiles.json").read_text())
    hashed = manifest["paths"]["css/whisper.css"]
    assert hashed != "css/whisper.css"
    published = site.prefix / "shared" / "static" / hashed
    assert published.is_file()
    response = site.get(f"/static/{hashed}")
    assert response.status_code == 200
    assert response.content == published.read_bytes()
    assert site.get("/static/no-such-file.css").status_code == 404


def test_uploaded_images_and_thumbnails_are_served_by_nginx(site):
    page = BeautifulSoup(site.get(f"/r/{SLUG}/").text, "html.parser")
    thumbnail = page.select_one("article.item-card img")["src"]
    assert thumbnail.startswith("/media/cache/")
    response = site.get(thumbnail)
    assert response.status_code == 200
    assert response.headers["Server"] == "nginx"
    assert response.headers["Content-Type"] == "image/jpeg"
    assert "X-Frame-Options" not in response.headers
    assert "max-age=2592000" in response.headers["Cache-Control"]
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert response.headers["ETag"] and response.headers["Last-Modified"]
    assert Image.open(io.BytesIO(response.content)).size == (480, 360)
    # The thumbnail sits in the shared media folder, beside the originals.
    assert (site.prefix / "shared" / thumbnail.removeprefix("/")).is_file()


def test_the_env_file_is_private_and_setup_again_keeps_the_secret_key(site):
    env_file = site.prefix / "shared" / "env"
    assert env_file.stat().st_mode & 0o777 == 0o600
    key = re.search(r"^SECRET_KEY=(.+)$", env_file.read_text(), re.M).group(1)
    assert len(key) >= 50
    again = site.fab_ok("setup")
    assert "env unchanged" in again
    assert re.search(r"^SECRET_KEY=(.+)$", env_file.read_text(), re.M).group(1) == key
    assert site.get("/health/").status_code == 200


def test_status_shows_the_programs_the_release_and_health(site):
    out = site.fab_ok("status")
    assert f"current: {site.current()}" in out
    for program in (*(f"web:web-{port}" for port in WEB_PORTS), "celery:celery-worker", "celery:celery-beat"):
        line = next(line for line in out.splitlines() if line.startswith(program))
        assert "RUNNING" in line
    assert f"health: HTTP/1.1 200 OK release={site.current()}" in out


def test_supervisord_rotates_the_logs_and_gunicorn_runs_from_current(site):
    config = (site.prefix / "shared" / "supervisord.conf").read_text()
    assert config.count("stdout_logfile_maxbytes=10MB") == 4  # two web nodes, worker, beat
    assert f"--chdir {site.prefix}/current " in config
    assert (site.prefix / "shared" / "logs" / f"web-{WEB_PORTS[0]}.log").is_file()


def test_read_only_mode_on_and_off(site):
    pk = next(iter(site.gifts_left(SLUG)))
    reserve = f"/r/{SLUG}/items/{pk}/reserve/"
    form_page = site.get(reserve)
    form = BeautifulSoup(form_page.text, "html.parser").find("form", action=reserve)
    data = form_fields(form, {"name": "", "email": "not-an-address"})  # invalid: nothing is saved
    cookies = form_page.cookies
    assert "read-only mode is on" in site.fab_ok("readonly", "on")
    try:
        refused = site.post(reserve, data=data, cookies=cookies)
        assert refused.status_code == 503
        assert "Retry-After" in refused.headers
        assert site.get(f"/r/{SLUG}/").status_code == 200  # reading still works
    finally:
        assert "read-only mode is off" in site.fab_ok("readonly", "--mode=off")
    answered = site.post(reserve, data=data, cookies=cookies)
    assert answered.status_code == 200  # the form again, with what to fix
    assert "back soon" not in answered.text.lower()
