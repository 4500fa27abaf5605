"""The URL configuration as data, and the forms found on the pages it serves.

The security tests are generated from these, so that a URL or a form added
later is covered without anyone remembering to list it:

- :func:`routes` walks ``get_resolver().url_patterns`` into :class:`Route` s;
- :func:`owner_routes` / :func:`staff_routes` classify them by rule;
- :meth:`World.url` fills a route's parameters from the seeded objects;
- :func:`forms_on` reads the ``<form method=post>`` of a page;
- :func:`snapshot` is the whole database, to prove a request wrote nothing.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup
from django.apps import apps
from django.contrib.sessions.models import Session
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern

# The couple's side of the site lives under this prefix (the URL contract):
# every route below it needs one of the registry's owners.
OWNER_PREFIX = "registries/<slug:slug>/"
# Staff pages: ours under staff/, and Django's admin (its login page is public).
STAFF_PREFIXES = ("staff/", "admin/")
PUBLIC_STAFF_ROUTES = {"admin:login"}
# Views that take no CSRF token, each for a reason given in their module:
# PayPal's IPN and Postmark's webhook are posted by servers (they are
# verified otherwise), the one-click unsubscribe by mail apps (RFC 8058; the
# signed token is the authority), PayPal's return page changes nothing, and the
# web app manifest's share target is posted by the phone's share sheet (it only
# redirects to its GET page, which changes nothing either).
CSRF_EXEMPT = {
    "importer:share",
    "payments:ipn",
    "notifications:postmark_tracking",
    "notifications:unsubscribe",
    "payments:return",
    "set_language",  # the footer's language chooser: a cookie, no row (whisper/urls.py)
}


@dataclass(frozen=True)
class Route:
    """One named URL pattern: its full route, its name, its view and its parameters."""

    route: str
    name: str
    callback: Any
    params: tuple[tuple[str, str], ...]  # (name, converter) in order

    @property
    def namespace(self) -> str:
        return self.name.split(":", 1)[0] if ":" in self.name else ""

    @property
    def is_owner_side(self) -> bool:
        return self.route.startswith(OWNER_PREFIX)

    @property
    def is_staff(self) -> bool:
        return self.route.startswith(STAFF_PREFIXES) and self.name not in PUBLIC_STAFF_ROUTES

    def __str__(self) -> str:
        return f"{self.name} ({self.route})"


def routes() -> list[Route]:
    """Every named URL pattern of the site, with its full route."""
    found: list[Route] = []
    _walk(get_resolver().url_patterns, "", [], [], found)
    return found


def _walk(patterns, prefix: str, namespaces: list[str], params: list, found: list[Route]) -> None:
    for pattern in patterns:
        route, own_params = _route_of(pattern.pattern)
        if isinstance(pattern, URLResolver):
            names = [*namespaces, pattern.namespace] if pattern.namespace else namespaces
            _walk(pattern.url_patterns, prefix + route, names, [*params, *own_params], found)
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = ":".join([*namespaces, pattern.name])
            found.append(Route(prefix + route, name, pattern.callback, tuple([*params, *own_params])))


def _route_of(pattern) -> tuple[str, list[tuple[str, str]]]:
    text = str(pattern)
    if isinstance(pattern, RoutePattern):
        return text, [
            (name, converter or "str") for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", text)
        ]
    # A regex pattern (a few of the admin's): its named groups are its parameters.
    text = text.lstrip("^").rstrip("$").replace("\\Z", "")
    return text, [(name, "regex") for name in pattern.regex.groupindex]


def owner_routes() -> list[Route]:
    return [r for r in routes() if r.is_owner_side]


def staff_routes() -> list[Route]:
    """Staff routes without parameters (for the admin: each model's list and add page, its index)."""
    return [r for r in routes() if r.is_staff and not r.params]


def token_routes() -> list[Route]:
    return [r for r in routes() if any(name == "token" for name, _ in r.params)]


# Filling parameters from the seeded world ---------------------------------
@dataclass
class World:
    """The objects a route's parameters point at, for one registry.

    ``objects`` maps a kind ("item", "reservation", "pledge", "import",
    "order", "gift") to one object of that registry; an integer parameter
    picks its kind from its name (``item_pk``) or the path segment before it
    (``items/<int:pk>/``).
    """

    registry: Any
    objects: dict[str, Any] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    # Where a route needs a particular object: {route name: {parameter: object}}.
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)

    SEGMENTS = {
        "items": "item",
        "reservations": "reservation",
        "pledges": "pledge",
        "contributions": "pledge",
        "import": "import",
        "imports": "import",
        "orders": "order",
        "gifts": "gift",
        "bought-elsewhere": "gift",
        "elsewhere": "gift",
        "owners": "owner",
        "partners": "partner",
        "invitations": "invitation",
    }

    def url(self, route: Route) -> str | None:
        """``route`` with its parameters filled, or None when the world has nothing for one."""
        kwargs = {}
        for name, converter in route.params:
            value = self._value(route, name, converter)
            if value is None:
                return None
            kwargs[name] = value
        return reverse(route.name, kwargs=kwargs)

    def _value(self, route: Route, name: str, converter: str):
        if name == "slug":
            return self.registry.slug
        if name == "token":
            return self.tokens.get(route.name, "not-a-valid-token")
        if name in self.overrides.get(route.name, {}):
            return self.overrides[route.name][name].pk
        if converter == "int":
            kind = self._kind(route, name)
            obj = self.objects.get(kind) if kind else None
            return obj.pk if obj is not None else None
        if converter == "regex":
            return None
        return "x"  # other text parameters (links' parts): a value no link ever has

    def _kind(self, route: Route, name: str) -> str | None:
        for word, kind in self.SEGMENTS.items():
            if name.startswith(kind) or name.startswith(word):
                return kind
        before = route.route.split(f"<int:{name}>")[0].rstrip("/").rsplit("/", 1)[-1]
        return self.SEGMENTS.get(before)


# Forms on a page ------------------------------------------------------------
@dataclass(frozen=True)
class Form:
    """A ``<form method=post>`` as a browser would send it (without a file)."""

    page: str
    action: str
    data: tuple[tuple[str, str], ...]
    text_fields: tuple[str, ...]
    token: str

    def fields(self, **changes: str) -> dict[str, str]:
        data = dict(self.data)
        data.update(changes)
        return data

    @property
    def key(self) -> tuple:
        return (urlsplit(self.action).path, tuple(sorted(name for name, _ in self.data)))

    def __str__(self) -> str:
        return f"form posting to {self.action} on {self.page}"


TEXT_TYPES = {"text", "email", "search", "password", "url", "tel", ""}
SKIPPED_TYPES = {"submit", "button", "image", "file", "reset"}


def forms_on(page_url: str, html: str) -> list[Form]:
    """The POST forms of a page that post to this site."""
    soup = BeautifulSoup(html, "html.parser")
    found = []
    for form in soup.find_all("form"):
        if (form.get("method") or "get").lower() != "post":
            continue
        action = urljoin(page_url, form.get("action") or page_url)
        parts = urlsplit(action)
        if parts.netloc and parts.netloc != "testserver":
            continue  # PayPal's checkout: not ours to test
        data: list[tuple[str, str]] = []
        text_fields: list[str] = []
        token = ""
        for control in form.find_all(["input", "textarea", "select"]):
            name = control.get("name")
            if not name or control.has_attr("disabled"):
                continue
            kind = (control.get("type") or "").lower() if control.name == "input" else control.name
            if name == "csrfmiddlewaretoken":
                token = control.get("value", "")
            elif kind in SKIPPED_TYPES:
                continue
            elif kind in ("checkbox", "radio"):
                if control.has_attr("checked"):
                    data.append((name, control.get("value", "on")))
            elif kind == "select":
                option = control.find("option", selected=True) or control.find("option")
                data.append((name, option.get("value", option.text) if option else ""))
            elif kind == "textarea":
                data.append((name, control.text))
                text_fields.append(name)
            else:
                data.append((name, control.get("value", "")))
                if kind in TEXT_TYPES:
                    text_fields.append(name)
        # The button that sends it (forms with several actions tell them apart so).
        button = form.find(["button", "input"], attrs={"type": "submit"}) or form.find("button")
        if button is not None and button.get("name"):
            data.append((button["name"], button.get("value", "")))
        found.append(
            Form(
                page_url,
                parts.path + (f"?{parts.query}" if parts.query else ""),
                tuple(data),
                tuple(text_fields),
                token,
            )
        )
    return found


# The database, to prove nothing was written ---------------------------------
def snapshot() -> dict[str, str]:
    """A digest of every row of every table (sessions aside: a visit may refresh one)."""
    digests = {}
    for model in apps.get_models():
        if model is Session or model._meta.proxy or not model._meta.managed:
            continue
        rows = list(model._base_manager.order_by("pk").values_list())
        digests[model._meta.label] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return digests


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(label for label in after if before.get(label) != after[label])


# HTML that would break a strict Content-Security-Policy ----------------------
def inline_code(html: str) -> list[str]:
    """Inline scripts, ``style`` attributes and ``on*=`` handlers in a page (CSP forbids them)."""
    soup = BeautifulSoup(html, "html.parser")
    problems = []
    for script in soup.find_all("script"):
        if not script.get("src") and script.get("type") != "application/json":  # JSON is data, not code
            problems.append(f"inline <script>: {str(script)[:80]}")
    for style in soup.find_all("style"):
        problems.append(f"<style> element: {str(style)[:80]}")
    for tag in soup.find_all(True):
        for attribute in tag.attrs:
            if attribute == "style" or attribute.lower().startswith("on"):
                problems.append(f"{attribute}= on <{tag.name}>: {str(tag)[:80]}")
    return problems


# Visiting the site as someone ------------------------------------------------
@dataclass
class Visit:
    """What one visitor got: the HTML of the pages (200), and what failed (5xx or an exception)."""

    pages: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def visit(client, world: World, *, owner_side: bool) -> Visit:
    """GET every route filled from ``world`` (staff pages aside; the couple's side when ``owner_side``)."""
    seen = Visit()
    done = set()
    for route in routes():
        if route.is_staff or route.name in PUBLIC_STAFF_ROUTES or (route.is_owner_side and not owner_side):
            continue
        url = world.url(route)
        if url is None or url in done:
            continue
        done.add(url)
        try:
            response = client.get(url)
        except Exception as exc:  # the test client re-raises a view's exception
            seen.errors.append(f"GET {url} ({route.name}) raised {exc!r}")
            continue
        if response.status_code >= 500:
            seen.errors.append(f"GET {url} ({route.name}) answered {response.status_code}")
        elif response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            seen.pages[url] = response.content.decode()
    return seen
