"""Fixtures of the timelog tests: a log file of the test's own."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def timelog_path(tmp_path, settings):
    """Point the middleware at a fresh file; new clients pick it up."""
    path = tmp_path / "timelog.log"
    settings.TIMELOG_LOG = path
    return path


@pytest.fixture
def read_timelog(timelog_path):
    """The lines written so far, parsed."""

    def read() -> list[dict]:
        if not timelog_path.exists():
            return []
        return [json.loads(line) for line in timelog_path.read_text().splitlines()]

    return read
