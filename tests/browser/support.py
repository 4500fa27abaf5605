"""Helpers the browser tests share: viewports, mail links, logging in, axe, the demo's pages."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import ConsoleMessage, Page, Route, expect

# Every browser test: the marker, and a database the live server's thread can see.
BROWSER = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {
    "viewport": {"width": 375, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
PHONE_WIDTH = PHONE["viewport"]["width"]

LOCAL_HOSTS = {"127.0.0.1", "localhost"}

_LINK = re.compile(r"https?://\S+")


class Guard:
    """What went wrong in a browser context: requests that left the machine, JavaScript
    errors, and anything the Content-Security-Policy blocked (inline scripts or styles).

    ``context.route("**/*", guard.route)`` lets requests to 127.0.0.1 through
    and aborts (and records) every other one.
    """

    def __init__(self) -> None:
        self.external: list[str] = []
        self.js_errors: list[str] = []
        self.csp_violations: list[str] = []

    def watch(self, page: Page) -> None:
        """Record the page's uncaught exceptions and what the Content-Security-Policy blocked."""
        page.on("pageerror", lambda exc: self.js_errors.append(f"{page.url}: {exc}"))
        page.on("console", lambda msg: self._console(page, msg))

    def _console(self, page: Page, message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.csp_violations.append(f"{page.url}: {message.text}")

    def route(self, route: Route) -> None:
        url = route.request.url
        if urlsplit(url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            self.external.append(url)
            route.abort("blockedbyclient")


def mail_link(to: str, path_prefix: str) -> str:
    """The path of the newest link starting with ``path_prefix`` in a mail sent to ``to``.

    Mails link to SITE_URL; only the path is kept, so the test opens it on the live server.
    """
    for message in reversed(mail.outbox):
        if to in message.to:
            for url in _LINK.findall(message.body):
                path = urlsplit(url).path
                if path.startswith(path_prefix):
                    return path
    sent = [(m.to, m.subject) for m in mail.outbox]
    raise AssertionError(f"no mail to {to} with a link to {path_prefix}…; sent: {sent}")


def log_in(page: Page, email: str, password: str) -> None:
    """Log in through the login form, as a couple would."""
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def horizontal_overflow(page: Page) -> int:
    """How many CSS pixels the page is wider than the viewport (0 when it fits)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def broken_images(page: Page) -> list[str]:
    """The sources of the page's images that failed to load (after scrolling them into view)."""
    page.evaluate("document.querySelectorAll('img[loading=lazy]').forEach(i => i.loading = 'eager')")
    page.wait_for_function("() => [...document.images].every(i => i.complete)")
    return page.evaluate("[...document.images].filter(i => !i.naturalWidth).map(i => i.src)")


def axe_violations(page: Page, axe_path: Path) -> list[str]:
    """The serious and critical WCAG problems axe-core finds on the page, one line each.

    The context must be opened with ``bypass_csp=True``: the script goes in inline.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_path))
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@dataclass(frozen=True)
class Demo:
    """The demo registry's pages, with what a guest and the couple would open."""

    email: str
    password: str
    public: str
    reserve: str
    manage: str
    dashboard: str
    add_item: str
    edit_item: str
    edit_registry: str
    available_title: str
    reserved_title: str


def seed_demo() -> Demo:
    """Load the demo data (``manage.py seed_demo``) and name its key pages."""
    from apps.pages import demo
    from apps.registries.models import Registry
    from apps.reservations.models import Reservation

    call_command("seed_demo", stdout=io.StringIO())
    registry = Registry.objects.get(slug=demo.DEMO_SLUG)
    slug = registry.slug
    available = next(
        item
        for item in registry.items.visible().exclude(image="").filter(group_gift=False).order_by("position")
        if item.is_available and not item.unlimited and item.price
    )
    reservation = (
        Reservation.objects.active()
        .filter(item__registry=registry, bought_at__isnull=True)
        .exclude(message="")
        .select_related("item")
        .order_by("pk")
        .first()
    )
    pictured = registry.items.exclude(image="").order_by("position").first()
    return Demo(
        email=demo.DEMO_EMAIL,
        password=demo.DEMO_PASSWORD,
        public=reverse("registries:public", args=[slug]),
        reserve=reverse("reservations:reserve", args=[slug, available.pk]),
        manage=reservation.get_manage_url(),
        dashboard=reverse("registries:dashboard", args=[slug]),
        add_item=reverse("items:add", args=[slug]),
        edit_item=reverse("items:edit", args=[slug, pictured.pk]),
        edit_registry=reverse("registries:edit", args=[slug]),
        available_title=available.title,
        reserved_title=reservation.item.title,
    )
