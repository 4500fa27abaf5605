"""Static files as the stack serves them: hashed names and django-compressor's offline bundles.

Runs ``collectstatic`` and ``compress`` with the bench settings (production's,
on loopback) into a folder of its own, as ``scripts/stack.sh prepare`` does.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings


@pytest.fixture(scope="module")
def collected(tmp_path_factory) -> Path:
    static = tmp_path_factory.mktemp("static")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "STATIC_ROOT": str(static),
        "MEDIA_ROOT": str(tmp_path_factory.mktemp("media")),
    }

    def manage(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    manage("collectstatic", "--noinput", "-v", "0")
    manage("compress", "--force")
    render = "from django.template.loader import render_to_string; print(render_to_string('pages/faq.html'))"
    rendered = manage("shell", "-c", render)
    (static / "faq.html").write_text(rendered)
    return static


def test_static_names_are_hashed(collected):
    manifest = json.loads((collected / "staticfiles.json").read_text())
    assert re.fullmatch(r"css/whisper\.[0-9a-f]{12}\.css", manifest["paths"]["css/whisper.css"])


def test_pages_link_one_compressed_stylesheet_made_offline(collected):
    links = re.findall(r'<link rel="stylesheet" href="([^"]+)"', (collected / "faq.html").read_text())
    assert len(links) == 1
    assert re.fullmatch(r"/static/CACHE/css/output\.[0-9a-f]{12}\.css", links[0])
    bundle = collected / links[0].removeprefix("/static/")
    assert ".btn" in bundle.read_text()
    assert "\n\n" not in bundle.read_text()  # minified


def test_the_offline_manifest_covers_the_page_scripts(collected):
    manifest = json.loads((collected / "CACHE" / "manifest.json").read_text())
    assert any("CACHE/css/output." in html for html in manifest.values())
    assert any("CACHE/js/output." in html for html in manifest.values())  # the dashboard's reorder.js
