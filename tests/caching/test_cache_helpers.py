"""apps.core.cache — the code version in every key, and who counts as a visitor without state."""

from __future__ import annotations

import copy
import os

from django.test import RequestFactory

from apps.core.cache import code_version, has_visitor_state


def _templates_in(settings, folder) -> None:
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [folder]
    settings.TEMPLATES = templates


def test_the_code_version_follows_the_templates(settings, tmp_path):
    page = tmp_path / "page.html"
    page.write_text("<p>one</p>")
    _templates_in(settings, tmp_path)
    settings.DEBUG = True  # development: template edits count at once
    before = code_version()

    page.write_text("<p>two</p>")
    os.utime(page, ns=(1, page.stat().st_mtime_ns + 10**9))

    assert code_version() != before
    assert code_version() == code_version()


def test_the_code_version_follows_the_release(settings):
    before = code_version()
    settings.SENTRY_RELEASE = "deploy-2"
    assert code_version() != before


def test_a_visitor_with_a_session_or_a_message_has_state(settings):
    factory = RequestFactory()
    assert not has_visitor_state(factory.get("/"))
    assert not has_visitor_state(factory.get("/", HTTP_COOKIE="csrftoken=abc; theme=dark"))
    assert has_visitor_state(factory.get("/", HTTP_COOKIE=f"{settings.SESSION_COOKIE_NAME}=abc"))
    assert has_visitor_state(factory.get("/", HTTP_COOKIE="messages=abc"))
