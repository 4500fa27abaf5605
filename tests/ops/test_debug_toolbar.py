"""django-debug-toolbar lives in the dev settings only."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

from django.conf import settings
from django.urls import Resolver404, resolve

import whisper.settings

SETTINGS_DIR = Path(whisper.settings.__file__).parent
ROOT = SETTINGS_DIR.parent.parent


def load_settings(name: str) -> ModuleType:
    """Run ``whisper/settings/<name>.py`` as a fresh module, outside ``sys.modules``.

    The settings in use by the tests are left alone.
    """
    spec = importlib.util.spec_from_file_location(
        f"whisper.settings._probe_{name}", SETTINGS_DIR / f"{name}.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def mentions_toolbar(values) -> bool:
    return any("debug_toolbar" in value for value in values)


def test_production_settings_have_no_toolbar(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "a-real-production-secret-for-this-test-0123456789")
    monkeypatch.setenv("ALLOWED_HOSTS", "whisper.example")

    production = load_settings("production")

    assert production.DEBUG is False
    assert not mentions_toolbar(production.INSTALLED_APPS)
    assert not mentions_toolbar(production.MIDDLEWARE)
    assert not hasattr(production, "DEBUG_TOOLBAR_CONFIG")


def test_the_toolbar_is_not_a_production_requirement():
    production = (ROOT / "requirements.txt").read_text().lower()
    dev = (ROOT / "requirements-dev.txt").read_text().lower()

    assert "django-debug-toolbar" not in production
    assert "django-debug-toolbar" in dev


# Opens the login page three times in the dev settings (a SQLite database of
# its own, only the sessions table) and prints whether each page had the toolbar.
DEV_PAGES = """
import sys
if sys.argv[1] == "without":
    sys.modules["debug_toolbar"] = None  # as if not installed (make run's virtualenv)
import django
django.setup()
from django.core.management import call_command
from django.test import Client
call_command("migrate", "sessions", verbosity=0)
client = Client(HTTP_HOST="127.0.0.1")
for path in ("/accounts/login/", "/accounts/login/?djdt=1", "/accounts/login/"):
    response = client.get(path)
    print(response.status_code, 'id="djDebug"' in response.content.decode())
"""


def dev_pages(tmp_path: Path, toolbar: str) -> list[str]:
    # As make run starts it: no database or memcached of the tests' in the environment.
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DB_", "MEMCACHED_"))}
    env |= {"DJANGO_SETTINGS_MODULE": "whisper.settings.dev", "WHISPER_RUN_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", DEV_PAGES, toolbar],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split("\n")[:3]


def test_in_development_the_toolbar_shows_once_asked_for_and_stays_for_the_session(tmp_path):
    assert dev_pages(tmp_path, "with") == ["200 False", "200 True", "200 True"]


def test_development_runs_without_the_toolbar_installed(tmp_path):
    assert dev_pages(tmp_path, "without") == ["200 False", "200 False", "200 False"]


def test_tests_run_without_the_toolbar():
    assert not mentions_toolbar(settings.INSTALLED_APPS)
    assert not mentions_toolbar(settings.MIDDLEWARE)
    try:
        resolve("/__debug__/render_panel/")
    except Resolver404:
        pass
    else:
        raise AssertionError("the toolbar's URLs are mounted")
