"""Setting Sentry up: the release from git, and the scrubber."""

from __future__ import annotations

import subprocess

from django.conf import settings

from apps.core.sentry import git_revision, scrub_event


def test_the_release_is_the_checked_out_git_revision():
    expected = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=settings.BASE_DIR, capture_output=True, text=True, check=True
    ).stdout.strip()

    assert git_revision(settings.BASE_DIR) == expected
    assert len(expected) == 40


def test_outside_a_checkout_there_is_no_release(tmp_path):
    assert git_revision(tmp_path) is None


def test_the_scrubber_reaches_nested_data_and_breadcrumbs():
    event = {
        "message": "Mail to Ann.Lee+gifts@mail.example.co.uk bounced",
        "breadcrumbs": {"values": [{"message": "SELECT … WHERE email = 'bo@example.org'"}]},
        "extra": {"guests": ["cy@example.com", 3, None]},
        "tags": {"plan": "premium"},
    }

    scrubbed = scrub_event(event, {})

    assert scrubbed["message"] == "Mail to [email] bounced"
    assert scrubbed["breadcrumbs"]["values"][0]["message"] == "SELECT … WHERE email = '[email]'"
    assert scrubbed["extra"]["guests"] == ["[email]", 3, None]
    assert scrubbed["tags"] == {"plan": "premium"}
