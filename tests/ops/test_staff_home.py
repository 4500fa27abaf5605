"""/staff/: the staff's pages in one place; a clear 403 for a couple, never the admin login (issue 17 #12)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_logged_in_couple_gets_the_403_page_not_the_admin_login(owner_client):
    response = owner_client.get("/staff/")

    assert response.status_code == 403
    html = response.content.decode()
    assert "These pages are for Whisper’s staff" in html
    assert "You are logged in as alex@example.com, which is not a staff account" in html
    assert 'href="/registries/"' in html
    assert "/admin/login/" not in html
    assert 'href="/staff/"' not in html  # no staff link in their header either


def test_an_anonymous_visitor_is_asked_to_log_in_on_the_site(client):
    response = client.get("/staff/")

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login") + "?next=/staff/"


def test_staff_see_a_link_in_the_header_and_every_staff_page_on_it(client):
    client.force_login(UserFactory(is_staff=True))

    home = client.get("/").content.decode()
    assert 'href="/staff/"' in home

    response = client.get("/staff/")
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("metrics:dashboard", "timelog:report", "admin:index", "ops:health"):
        assert f'href="{reverse(name)}"' in html
