"""Authorization matrix, generated from the URL configuration.

Every route under ``registries/<slug>/`` is the couple's side (the URL
contract); each is requested, GET and POST, with the first couple's registry
and objects filled in, by everyone who is not one of its owners. None may
get a page (200) or a server error; each gets a redirect to log in, a 403 or a
404 — so a new owner URL is covered the day it is added. Staff pages are
refused to couples the same way, and guests' signed links only open their own
reservation or pledge.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.db import transaction
from django.urls import reverse

from apps.reservations.models import Pledge, Reservation
from tests.security.crawl import Route, owner_routes, staff_routes, token_routes

pytestmark = pytest.mark.django_db

# Owner routes today: dashboard, edit, CSV export, three thank-you toggles,
# partners (invite, remove), six gift pages, two import pages, four payment
# pages and the notification settings. The matrix must never shrink by accident.
MIN_OWNER_ROUTES = 20
REFUSED = {403, 404, 405}


def _login_redirect(response) -> bool:
    login = reverse("accounts:login")
    return response.status_code == 302 and response["Location"].startswith(login)


def _admin_redirect(response) -> bool:
    """Sent to the admin's login page (or, from its logout, to its index: the login again)."""
    admin = (reverse("admin:login"), reverse("admin:index"))
    return response.status_code == 302 and response["Location"].startswith(admin)


def _requests(site, route: Route):
    url = site.world.url(route)
    assert url is not None, f"the matrix cannot fill {route}: teach tests/security/crawl.World its parameters"
    return url


def test_the_matrix_covers_every_owner_route_and_the_owner_gets_in(site):
    routes = owner_routes()
    assert len(routes) >= MIN_OWNER_ROUTES, [str(r) for r in routes]
    for route in routes:
        url = _requests(site, route)
        response = site.owner.get(url)
        if response.status_code == 405:  # an action: it must find its object when posted
            with transaction.atomic():
                response = site.owner.post(url, {})
                transaction.set_rollback(True)
        # 400: the object was found, an empty form is bad input. Anything else means
        # the URL was filled wrongly (a 404) or the page is broken.
        assert response.status_code in (200, 302, 400), f"owner at {url} ({route}): {response.status_code}"
        if response.status_code == 302:
            assert not _login_redirect(response), f"the owner was sent to log in by {url}"


def test_the_owner_posting_an_empty_form_anywhere_gets_no_server_error(site):
    for route in owner_routes():
        url = _requests(site, route)
        with transaction.atomic():
            response = site.owner.post(url, {})
            transaction.set_rollback(True)
        assert response.status_code < 500, f"owner POST {url} ({route}): {response.status_code}"


@pytest.mark.parametrize("method", ["get", "post"])
def test_nobody_but_the_owners_reaches_an_owner_route(site, method):
    failures = []
    for route in owner_routes():
        url = _requests(site, route)
        for role, client in site.roles().items():
            response = getattr(client, method)(url)
            anonymous = role != "another couple"
            if response.status_code in REFUSED or (anonymous and _login_redirect(response)):
                continue
            failures.append(f"{role} {method.upper()} {url} ({route.name}): {response.status_code}")
    assert not failures, "\n".join(failures)


def test_a_login_redirect_comes_back_to_the_page(site):
    url = reverse("registries:dashboard", args=[site.registry.slug])
    response = site.anonymous.get(url)
    assert _login_redirect(response)
    assert f"{REDIRECT_FIELD_NAME}=" in response["Location"]


def test_another_couple_sees_no_trace_of_the_registry_on_owner_routes(site):
    for route in owner_routes():
        response = site.other.get(_requests(site, route))
        content = response.content.decode(errors="replace")
        for secret in ("alex guest", "alex@guests.example", "alex giver", "alex aunt"):
            assert secret not in content, f"{route.name} shows {secret!r} to another couple"


# Staff ---------------------------------------------------------------------
def test_staff_pages_are_not_for_couples_or_guests(site):
    routes = staff_routes()
    names = {r.name for r in routes}
    assert {"timelog:report", "metrics:dashboard", "admin:index", "admin:accounts_user_changelist"} <= names
    failures = []
    for route in routes:
        url = reverse(route.name)
        for role, client in {"couple": site.owner, **site.roles()}.items():
            response = client.get(url)
            if response.status_code in REFUSED or _admin_redirect(response) or _login_redirect(response):
                continue
            failures.append(f"{role} GET {url}: {response.status_code}")
    assert not failures, "\n".join(failures)


def test_staff_get_their_pages(site):
    for name in ("timelog:report", "metrics:dashboard"):
        assert site.staff_client.get(reverse(name)).status_code == 200, name


# Guests' signed links --------------------------------------------------------
def _tampered(token: str) -> str:
    return token[:-1] + ("A" if token[-1] != "A" else "B")


def test_every_signed_link_refuses_a_tampered_or_made_up_token(site):
    routes = token_routes()
    assert {"reservations:manage", "reservations:pledge_manage"} <= {r.name for r in routes}
    for route in routes:
        for token in (_tampered(site.world.tokens.get(route.name, "abc:def")), "x", "0" * 40):
            kwargs = {name: (token if name == "token" else "x") for name, _ in route.params}
            response = site.anonymous.get(reverse(route.name, kwargs=kwargs))
            assert response.status_code in (400, 404, 410), (
                f"{route.name} with {token!r}: {response.status_code}"
            )


def test_a_guest_link_opens_its_own_reservation_only(site):
    mine, theirs = site.world.objects["reservation"], site.other_world.objects["reservation"]
    page = site.anonymous.get(mine.get_manage_url())
    assert page.status_code == 200
    assert "alex teapot" in page.content.decode()
    assert "jo teapot" not in page.content.decode()

    site.anonymous.post(mine.get_manage_url(), {"action": "cancel"})

    assert Reservation.objects.get(pk=mine.pk).cancelled_at is not None
    assert Reservation.objects.get(pk=theirs.pk).cancelled_at is None


def test_a_reservation_token_does_not_open_a_pledge_and_back(site):
    reservation, pledge = site.world.objects["reservation"], site.world.objects["pledge"]
    # The same ids signed for the other kind of link.
    assert (
        site.anonymous.get(reverse("reservations:pledge_manage", args=[reservation.token])).status_code == 404
    )
    assert site.anonymous.get(reverse("reservations:manage", args=[pledge.token])).status_code == 404
    assert Pledge.objects.get(pk=pledge.pk).cancelled_at is None


def test_a_guest_route_under_another_registrys_address_is_not_found(site):
    """An item or gift id reached through another registry's address: 404, nothing shown."""
    item = site.world.objects["item"]
    group = site.world.objects["pledge"].item
    other = site.other_world.registry
    for name, pk in (("reservations:reserve", item.pk), ("reservations:pledge", group.pk)):
        response = site.guest.get(reverse(name, args=[other.slug, pk]))
        assert response.status_code == 404, name
        assert item.title not in response.content.decode()
