"""A guest over HTTP, as a browser without JavaScript would be: open the form, post it.

The reliability tests drive the isolated stack through nginx with these,
each guest with a ``requests.Session`` of its own (its cookies, its CSRF token).
"""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlsplit

import requests

_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
MANAGE_PREFIX = "/reservations/"


def csrf_token(html: str) -> str:
    """The CSRF token of the first form on a page.

    >>> csrf_token('<input type="hidden" name="csrfmiddlewaretoken" value="abc123">')
    'abc123'
    """
    match = _CSRF_INPUT.search(html)
    if match is None:
        raise ValueError("no form with a CSRF token on the page")
    return match.group(1)


def manage_token(response: requests.Response) -> str | None:
    """The manage token a successful reservation redirects to, or None.

    >>> class R:
    ...     status_code, headers = 302, {"Location": "/reservations/eyJ0:1abc/"}
    >>> manage_token(R())
    'eyJ0:1abc'
    """
    if response.status_code != 302:
        return None
    path = urlsplit(response.headers.get("Location", "")).path
    if not path.startswith(MANAGE_PREFIX):
        return None
    return path[len(MANAGE_PREFIX) :].strip("/")


def guest_email() -> str:
    return f"guest-{uuid.uuid4().hex[:12]}@guest.example"


class Guest:
    """One guest with a browser session of their own on the site at ``base``."""

    def __init__(self, base: str, timeout: float = 30) -> None:
        self.base = base
        self.timeout = timeout
        self.session = requests.Session()
        self.email = guest_email()

    def open_form(self, slug: str, pk: int) -> str:
        """GET the reservation form; its CSRF token (the session keeps the cookie)."""
        response = self.session.get(f"{self.base}/r/{slug}/items/{pk}/reserve/", timeout=self.timeout)
        response.raise_for_status()
        return csrf_token(response.text)

    def post_reservation(self, slug: str, pk: int, token: str, quantity: int = 1) -> requests.Response:
        """POST the form opened with ``open_form``; the answer as it came (redirects not followed)."""
        return self.session.post(
            f"{self.base}/r/{slug}/items/{pk}/reserve/",
            data={
                "csrfmiddlewaretoken": token,
                "quantity": str(quantity),
                "guest_name": "Robin Guest",
                "guest_email": self.email,
                "message": "Congratulations!",
            },
            allow_redirects=False,
            timeout=self.timeout,
        )

    def reserve(self, slug: str, pk: int, quantity: int = 1) -> requests.Response:
        return self.post_reservation(slug, pk, self.open_form(slug, pk), quantity)

    def follow(self, response: requests.Response) -> requests.Response:
        """GET where a redirect points, in this guest's session (to read the message shown there)."""
        return self.session.get(self.base + urlsplit(response.headers["Location"]).path, timeout=self.timeout)
