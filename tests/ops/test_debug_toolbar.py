"""django-debug-toolbar lives in the dev settings only."""

from __future__ import annotations

import importlib.util
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


def test_dev_settings_have_the_toolbar_after_the_session_middleware():
    dev = load_settings("dev")

    assert "debug_toolbar" in dev.INSTALLED_APPS
    middleware = dev.MIDDLEWARE
    toolbar = middleware.index("debug_toolbar.middleware.DebugToolbarMiddleware")
    # show_toolbar() reads request.session.
    assert toolbar > middleware.index("django.contrib.sessions.middleware.SessionMiddleware")
    assert not mentions_toolbar(settings.MIDDLEWARE)  # the test settings were not touched


def test_tests_run_without_the_toolbar():
    assert not mentions_toolbar(settings.INSTALLED_APPS)
    assert not mentions_toolbar(settings.MIDDLEWARE)
    try:
        resolve("/__debug__/render_panel/")
    except Resolver404:
        pass
    else:
        raise AssertionError("the toolbar's URLs are mounted")
