"""A release without the manifests of its built assets refuses to start instead of answering 500.

``apps/ops/checks.py``: ``manage.py check --deploy`` reports it, and gunicorn
(``whisper/wsgi.py``) does not boot. ``fab deploy`` stopping before the switch
is in tests/stack/test_deploy_checks.py.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from tests.ops.conftest import free_port

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.fixture
def offline(settings, tmp_path):
    """Offline compression into ``tmp_path``, where ``compress`` has not run."""
    settings.COMPRESS_ENABLED = True
    settings.COMPRESS_OFFLINE = True
    settings.COMPRESS_ROOT = str(tmp_path)
    return tmp_path


def test_check_deploy_names_the_missing_manifest_until_compress_writes_it(offline):
    with pytest.raises(SystemCheckError, match=r"whisper\.E001.* manifest\.json is missing from .*CACHE"):
        call_command("check", "--deploy", "--tag", "whisper_deploy")
    (offline / "CACHE").mkdir()
    (offline / "CACHE" / "manifest.json").write_text("{}")
    call_command("check", "--deploy", "--tag", "whisper_deploy")


def test_without_offline_compression_nothing_is_required(offline, settings):
    settings.COMPRESS_OFFLINE = False
    call_command("check", "--deploy", "--tag", "whisper_deploy")


def test_hashed_static_names_need_the_manifest_collectstatic_writes(settings, tmp_path):
    backend = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": backend}}
    settings.STATIC_ROOT = str(tmp_path)
    with pytest.raises(SystemCheckError, match=r"whisper\.E002.* staticfiles\.json is missing from "):
        call_command("check", "--deploy", "--tag", "whisper_deploy")
    (tmp_path / "staticfiles.json").write_text('{"paths": {}, "version": "1.1"}')
    call_command("check", "--deploy", "--tag", "whisper_deploy")


def production(static_root: Path) -> dict[str, str]:
    return {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "whisper.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "STATIC_ROOT": str(static_root),
    }


def test_manage_py_check_deploy_fails_in_production_without_the_manifest(tmp_path):
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=production(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert f"manifest.json is missing from {tmp_path}/CACHE" in done.stderr
    assert "every page would answer 500" in done.stderr
    assert f"staticfiles.json is missing from {tmp_path}:" in done.stderr


def test_gunicorn_does_not_boot_a_release_without_the_manifest(tmp_path):
    env = {**production(tmp_path), "GUNICORN_BIND": f"127.0.0.1:{free_port()}", "WEB_CONCURRENCY": "1"}
    done = subprocess.run(
        [str(Path(sys.executable).parent / "gunicorn"), "--config", "deploy/gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0  # the master stops: its worker failed to boot
    assert "Whisper cannot serve pages" in done.stderr
    assert f"manifest.json is missing from {tmp_path}/CACHE" in done.stderr
