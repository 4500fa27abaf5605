"""The database out of reach is a friendly 503 with Retry-After, never the 500 page or a traceback.

``apps.ops.views.server_error`` (the site's handler500) answers any
``OperationalError`` or ``InterfaceError`` that escapes a view or a
middleware this way; the stack tests restart and stop PostgreSQL for real.
"""

from __future__ import annotations

import pytest
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest
from django.test import Client
from django.urls import path

pytestmark = [pytest.mark.urls(__name__), pytest.mark.django_db]


def database_gone(request: HttpRequest):
    raise OperationalError("terminating connection due to administrator command")


def connection_closed(request: HttpRequest):
    raise InterfaceError("connection already closed")


def broken(request: HttpRequest):
    raise ZeroDivisionError("kaboom-reliability-test")


urlpatterns = [
    path("__reliability__/database-gone/", database_gone),
    path("__reliability__/connection-closed/", connection_closed),
    path("__reliability__/broken/", broken),
]
handler500 = "apps.ops.views.server_error"


@pytest.mark.parametrize("url", ["/__reliability__/database-gone/", "/__reliability__/connection-closed/"])
def test_the_database_out_of_reach_is_a_friendly_503(url):
    response = Client(raise_request_exception=False).get(url)

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    content = response.content.decode()
    assert "Back in a moment" in content
    assert "administrator command" not in content and "Traceback" not in content


def test_any_other_failure_is_still_the_500_page():
    response = Client(raise_request_exception=False).get("/__reliability__/broken/")

    assert response.status_code == 500
    assert "Retry-After" not in response
    assert "Something went wrong on our side" in response.content.decode()
