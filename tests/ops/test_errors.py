"""Error pages in the site's look; superusers see the traceback instead of the 500 page."""

from __future__ import annotations

import pytest
from django.core.signals import got_request_exception
from django.test import Client, RequestFactory

from apps.ops.views import server_error
from tests.factories import UserFactory

pytestmark = pytest.mark.urls("tests.ops.urls")

FRIENDLY_500 = "Something went wrong on our side"


@pytest.fixture
def anonymous() -> Client:
    return Client(raise_request_exception=False)


@pytest.mark.django_db
def test_404_in_the_site_look(anonymous):
    response = anonymous.get("/no-such-page/")

    assert response.status_code == 404
    content = response.content.decode()
    assert "We couldn’t find that page" in content
    assert 'class="site-header"' in content
    assert 'href="/search/"' in content


@pytest.mark.django_db
def test_403_in_the_site_look(anonymous):
    response = anonymous.get("/__ops__/forbidden/")

    assert response.status_code == 403
    content = response.content.decode()
    assert "This page isn’t yours to open" in content
    assert 'class="site-header"' in content


@pytest.mark.django_db
def test_400_in_the_site_look(anonymous):
    response = anonymous.get("/__ops__/suspicious/")

    assert response.status_code == 400
    content = response.content.decode()
    assert "We couldn’t understand that request" in content
    assert 'class="site-header"' in content
    assert "tampered" not in content


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "couple", "staff"])
def test_everyone_but_superusers_gets_the_friendly_500_page(anonymous, who):
    if who != "anonymous":
        anonymous.force_login(UserFactory(is_staff=who == "staff"))

    response = anonymous.get("/__ops__/fail/")

    assert response.status_code == 500
    content = response.content.decode()
    assert FRIENDLY_500 in content
    assert "ZeroDivisionError" not in content
    assert "kaboom-ops-test" not in content


@pytest.mark.django_db
def test_superusers_see_the_traceback(superuser_client):
    reported = []

    def receiver(sender, request, **kwargs):
        reported.append(request.path)

    got_request_exception.connect(receiver)
    try:
        response = superuser_client.get("/__ops__/fail/")
    finally:
        got_request_exception.disconnect(receiver)

    assert response.status_code == 500
    content = response.content.decode()
    assert "ZeroDivisionError" in content
    assert "kaboom-ops-test" in content
    assert "Traceback" in content
    assert FRIENDLY_500 not in content
    assert reported == ["/__ops__/fail/"]  # error reporting (Sentry) still hears of it


@pytest.mark.django_db
def test_superusers_get_the_normal_4xx_pages(superuser_client):
    assert "We couldn’t find that page" in superuser_client.get("/no-such-page/").content.decode()
    response = superuser_client.get("/__ops__/forbidden/")
    assert response.status_code == 403
    assert "This page isn’t yours to open" in response.content.decode()


def test_the_500_page_needs_no_database():
    # No django_db mark: any query here would fail the test.
    response = server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    content = response.content.decode()
    assert FRIENDLY_500 in content
    assert "whisper.css" in content
