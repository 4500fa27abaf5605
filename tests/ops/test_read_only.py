"""Read-only mode: pages still read, every write gets a friendly 503, a banner says so."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from waffle.models import Sample, Switch

from apps.ops import read_only

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.ops.urls")]

BACK_SOON = "Everything is readable, changes are back soon"
WRITE_URL = "/__ops__/write/"
PAGE_URL = "/__ops__/page/"


def test_off_by_default_so_writes_go_through(client):
    assert read_only.is_active() is False

    response = client.post(WRITE_URL, {"name": "hello"})

    assert response.status_code == 201
    assert Sample.objects.filter(name="hello").exists()


@pytest.mark.usefixtures("read_only_on")
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_every_write_gets_the_back_soon_page_and_changes_nothing(client, method):
    response = getattr(client, method)(WRITE_URL, {"name": "hello"})

    assert response.status_code == 503
    assert response["Retry-After"] == "300"
    content = response.content.decode()
    assert "Whisper is taking a short break" in content
    assert BACK_SOON in content
    assert 'class="site-header"' in content
    assert content.count(BACK_SOON) == 1  # the page, without the banner on top
    assert not Sample.objects.exists()


@pytest.mark.usefixtures("read_only_on")
def test_logging_in_is_a_write_too(client, couple, password):
    response = client.post(reverse("accounts:login"), {"username": couple.email, "password": password})

    assert response.status_code == 503
    assert BACK_SOON in response.content.decode()
    assert not Session.objects.exists()
    couple.refresh_from_db()
    assert couple.last_login is None


@pytest.mark.usefixtures("read_only_on")
@pytest.mark.parametrize("method", ["get", "head", "options"])
def test_reading_still_works(client, method):
    response = getattr(client, method)(WRITE_URL)

    assert response.status_code == 200


def test_pages_show_a_banner_only_in_read_only_mode(client, django_capture_on_commit_callbacks):
    assert BACK_SOON not in client.get(PAGE_URL).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        read_only.set_active(True)

    response = client.get(PAGE_URL)
    assert response.status_code == 200
    assert BACK_SOON in response.content.decode()
    assert "A plain page." in response.content.decode()


@pytest.mark.usefixtures("read_only_on")
def test_paypal_ipns_are_not_blocked(client):
    response = client.post("/paypal/ipn/", {"txn_id": "1"})

    assert response.status_code != 503


@pytest.mark.usefixtures("read_only_on")
def test_staff_can_still_use_the_admin_to_turn_it_off(client):
    response = client.post("/admin/login/", {"username": "nobody@example.com", "password": "x"})

    assert response.status_code == 200  # the login form again, with its error
    assert BACK_SOON not in response.content.decode()


@pytest.mark.parametrize("active", [False, True])
def test_the_switch_costs_no_query_once_warm(client, active, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        read_only.set_active(active)
    with CaptureQueriesContext(connection) as cold:
        client.get(PAGE_URL)
    assert any("waffle_switch" in query["sql"] for query in cold.captured_queries)

    with CaptureQueriesContext(connection) as warm:
        response = client.get(PAGE_URL)

    assert response.status_code == 200
    assert len(warm.captured_queries) == 0


def test_staff_toggle_it_in_the_admin(superuser_client, client, django_capture_on_commit_callbacks):
    switch = Switch.objects.get(name=read_only.SWITCH)
    changelist = reverse("admin:waffle_switch_changelist")

    def admin_action(action: str):
        with django_capture_on_commit_callbacks(execute=True):
            return superuser_client.post(changelist, {"action": action, "_selected_action": [switch.pk]})

    assert admin_action("enable_switches").status_code == 302
    assert client.post(WRITE_URL).status_code == 503

    # The admin keeps working in read-only mode, so staff can turn it off there.
    assert admin_action("disable_switches").status_code == 302
    assert client.post(WRITE_URL).status_code == 201


@pytest.mark.usefixtures("read_only_on")
def test_a_logged_in_couple_gets_the_same_page(owner_client):
    response = owner_client.post(WRITE_URL, {"name": "hello"})

    assert response.status_code == 503
    content = response.content.decode()
    assert BACK_SOON in content
    assert "Log out" in content
    assert not Sample.objects.exists()


def test_another_node_turning_it_on_refuses_writes_at_once_and_shows_the_banner_within_a_second(
    client, monkeypatch
):
    assert BACK_SOON not in client.get(PAGE_URL).content.decode()  # this process has looked
    # Another node flips the switch: the row and waffle's cache change, no signal reaches this process.
    Switch.objects.filter(name=read_only.SWITCH).update(active=True)
    Switch.objects.get(name=read_only.SWITCH).flush()

    assert client.post(WRITE_URL, {"name": "hello"}).status_code == 503  # a write always asks
    assert not Sample.objects.exists()
    assert BACK_SOON not in client.get(PAGE_URL).content.decode()  # a read trusts its last look...

    later = read_only._now() + read_only.READ_CHECK_SECONDS
    monkeypatch.setattr(read_only, "_now", lambda: later)
    assert BACK_SOON in client.get(PAGE_URL).content.decode()  # ...for a second at most
