"""``manage.py readonly on|off|status`` flips read-only mode at runtime."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from waffle.models import Sample, Switch

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.ops.urls")]

WRITE_URL = "/__ops__/write/"


def readonly(*args: str) -> str:
    out = StringIO()
    call_command("readonly", *args, stdout=out)
    return out.getvalue().strip()


def test_the_switch_exists_and_is_off_after_migrating():
    assert Switch.objects.get(name="read_only").active is False
    assert readonly("status") == "read-only mode is off"


def test_on_and_off_take_effect_on_the_next_request(client, django_capture_on_commit_callbacks):
    assert client.post(WRITE_URL, {"name": "before"}).status_code == 201  # waffle caches "off"

    with django_capture_on_commit_callbacks(execute=True):
        assert readonly("on") == "read-only mode is on"
    assert Switch.objects.get(name="read_only").active is True
    assert readonly("status") == "read-only mode is on"
    assert client.post(WRITE_URL, {"name": "during"}).status_code == 503

    with django_capture_on_commit_callbacks(execute=True):
        assert readonly("off") == "read-only mode is off"
    assert client.post(WRITE_URL, {"name": "after"}).status_code == 201
    assert set(Sample.objects.values_list("name", flat=True)) == {"before", "after"}


def test_on_recreates_a_lost_switch():
    Switch.objects.filter(name="read_only").delete()

    readonly("on")

    assert Switch.objects.get(name="read_only").active is True


def test_anything_else_is_refused():
    with pytest.raises(CommandError):
        readonly("maybe")
    assert Switch.objects.get(name="read_only").active is False
