"""Every form on every page is protected from cross-site request forgery.

The forms are not listed here: they are read from the pages the site serves
to the couple, to an anonymous guest, and to a guest at a protected
registry's door. Each is sent, as a browser that did not get the page from
us would send it, without its CSRF token: the answer is the friendly 403 and
not one row of any table changes. Sent with its token, it goes through.
The only views without CSRF protection are the four that must not have it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from bs4 import BeautifulSoup
from django.db import transaction
from django.test import Client
from django.urls import resolve, reverse

from tests.security.crawl import CSRF_EXEMPT, Form, changed_tables, forms_on, routes, snapshot, visit

pytestmark = pytest.mark.django_db

FRIENDLY = "Please send that form again"
# Forms today: logout, account (name, email, password, delete), registry and gift
# forms, thank-you toggles, partners, imports, notifications, reserve, pledge,
# manage links, passphrase, password reset, signup, login… never fewer than this.
MIN_FORMS = 25


@dataclass(frozen=True)
class Found:
    role: str
    user: object
    form: Form


def collect(site) -> list[Found]:
    found: dict[tuple, Found] = {}
    visits = [
        ("owner", site.couple, site.owner, site.world, True),
        ("anonymous", None, site.anonymous, site.world, False),
        ("anonymous", None, site.anonymous, site.other_world, False),
    ]
    for role, user, client, world, owner_side in visits:
        for url, html in visit(client, world, owner_side=owner_side).pages.items():
            for form in forms_on(url, html):
                found.setdefault((role, form.key, form.data), Found(role, user, form))
    return list(found.values())


def _browser(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    return client


def _view_name(form: Form) -> str:
    return resolve(form.action.split("?")[0]).view_name


def _token_on(html: str, form: Form) -> str:
    field = BeautifulSoup(html, "html.parser").find("input", attrs={"name": "csrfmiddlewaretoken"})
    assert field is not None, f"no CSRF token on {form.page}"
    return field["value"]


def test_the_forms_are_found(site):
    found = collect(site)
    views = {_view_name(f.form) for f in found}
    assert len(found) >= MIN_FORMS, sorted(views)
    expected = {
        "accounts:logout",
        "accounts:login",
        "accounts:signup",
        "registries:edit",
        "items:add",
        "reservations:reserve",
        "reservations:manage",
        "registries:passphrase",
    }
    assert expected <= views, expected - views


def test_every_form_without_its_token_is_refused_and_changes_nothing(site):
    failures = []
    for found in collect(site):
        if _view_name(found.form) in CSRF_EXEMPT:
            continue
        browser = _browser(found.user)
        assert browser.get(found.form.page).status_code == 200  # the browser holds our cookie…
        before = snapshot()
        response = browser.post(found.form.action, found.form.fields())  # …but the form has no token
        content = response.content.decode(errors="replace")
        if response.status_code != 403 or FRIENDLY not in content:
            failures.append(f"{found.role}: {found.form} answered {response.status_code}")
        elif changed := changed_tables(before, snapshot()):
            failures.append(f"{found.role}: {found.form} changed {changed}")
    assert not failures, "\n".join(failures)


def test_a_forged_post_without_any_cookie_is_refused_too(site):
    browser = _browser(site.couple)
    before = snapshot()
    response = browser.post(reverse("registries:edit", args=[site.registry.slug]), {"partner_one": "Mallory"})
    assert response.status_code == 403
    assert FRIENDLY in response.content.decode()
    assert "allow them" in response.content.decode()  # says the cookie was missing
    assert not changed_tables(before, snapshot())


def test_every_form_with_its_token_goes_through(site):
    failures, writes = [], 0
    for found in collect(site):
        browser = _browser(found.user)
        page = browser.get(found.form.page)
        if _view_name(found.form) in CSRF_EXEMPT:  # the language chooser's form has no token
            data = found.form.fields()
        else:
            data = found.form.fields(csrfmiddlewaretoken=_token_on(page.content.decode(), found.form))
        with transaction.atomic():
            before = snapshot()
            response = browser.post(found.form.action, data)
            writes += bool(changed_tables(before, snapshot()))
            transaction.set_rollback(True)  # the next form finds the site as it was
        if response.status_code == 403 or response.status_code >= 500:
            failures.append(f"{found.role}: {found.form} answered {response.status_code}")
    assert not failures, "\n".join(failures)
    # The snapshot sees writes: the forms as found on the pages change things.
    assert writes >= 10


def test_only_the_views_that_must_be_are_csrf_exempt():
    exempt = {route.name for route in routes() if getattr(route.callback, "csrf_exempt", False)}
    assert exempt == CSRF_EXEMPT


def test_the_exempt_views_write_nothing_for_a_stranger(site):
    before = snapshot()
    responses = {
        "unsubscribe": site.anonymous.post(reverse("notifications:unsubscribe", args=["forged"])),
        "postmark": site.anonymous.post(
            reverse("notifications:postmark_tracking"), "{}", content_type="application/json"
        ),
        "return": site.anonymous.post(reverse("payments:return", args=[site.registry.slug])),
    }
    assert responses["unsubscribe"].status_code == 400
    assert responses["postmark"].status_code in (401, 403)
    assert responses["return"].status_code == 302  # to log in: the page is the couple's
    assert not changed_tables(before, snapshot())
