"""Load on the isolated stack: guests browse and reserve, couples edit their gifts.

A plain locust file, run as its own process by ``tests/reliability/test_load.py``;
it imports nothing from Django and only speaks HTTP, as browsers without
JavaScript would (forms with their CSRF token, redirects read, not followed)::

    locust -f tests/reliability/locustfile.py --headless -u 40 -r 20 -t 60s \\
        --host http://127.0.0.1:58380 --csv .run/reliability/load

``RELIABILITY_SEED`` names the JSON of the seeded registries (their gifts and
the couples' logins); ``RELIABILITY_TOLD`` the file that gets one line per
answer a guest was given: ``reserved TOKEN QUANTITY EMAIL``, ``changed TOKEN
QUANTITY`` or ``cancelled TOKEN``. The test compares those with the database.
Every 5xx, and every request that got no answer, is a failure ("5xx …",
"no answer"); so is any status a page should never give.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import uuid
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from locust import HttpUser, between, task

SEED = json.loads(Path(os.environ["RELIABILITY_SEED"]).read_text())
REGISTRIES = SEED["registries"]
TOLD = Path(os.environ["RELIABILITY_TOLD"])
MANAGE = "/reservations/"
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_couples = itertools.count()


def tell(line: str) -> None:
    """Record an answer the site gave a guest (one line, appended)."""
    with TOLD.open("a") as told:
        told.write(line + "\n")


def judge(response, *expected: int) -> bool:
    """Mark ``response`` failed unless its status is one of ``expected``; whether it passed."""
    if response.status_code == 0:
        response.failure(f"no answer: {response.error}")
    elif response.status_code >= 500:
        response.failure(f"5xx {response.status_code}")
    elif response.status_code not in expected:
        response.failure(f"unexpected {response.status_code}")
    else:
        response.success()
        return True
    return False


def csrf(html: str) -> str | None:
    match = _CSRF.search(html)
    return match.group(1) if match else None


def location(response) -> str:
    return urlsplit(response.headers.get("Location", "")).path


class FormFields(HTMLParser):
    """The fields a browser would submit with the page's form that has a ``title`` input."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.forms.append({})
        elif not self.forms:
            return
        elif tag == "input" and a.get("name") and a.get("type", "text") not in ("file", "submit", "button"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.forms[-1][a["name"]] = a.get("value", "on" if a.get("type") == "checkbox" else "")
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select:
            if "selected" in a or self._select not in self.forms[-1]:
                self.forms[-1][self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.forms[-1][self._textarea] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea and self.forms:
            self.forms[-1][self._textarea] += data

    def item_form(self) -> dict[str, str] | None:
        return next((form for form in self.forms if "title" in form), None)


class Guest(HttpUser):
    """A guest: looks at registries, reserves gifts, now and then changes or cancels a reservation."""

    weight = 9
    wait_time = between(0.05, 0.4)

    def on_start(self) -> None:
        self.email = f"load-{uuid.uuid4().hex[:12]}@guest.example"
        self.mine: dict[str, int] = {}  # manage token -> quantity the site confirmed

    @task(4)
    def browse(self) -> None:
        registry = random.choice(REGISTRIES)
        query = random.choice(["", "?available=on", "?sort=price", "?sort=-price&available=on"])
        with self.client.get(
            f"/r/{registry['slug']}/{query}", name="/r/[slug]/", catch_response=True, allow_redirects=False
        ) as response:
            judge(response, 200)

    @task(1)
    def search(self) -> None:
        with self.client.get("/search/?q=Robin", name="/search/", catch_response=True) as response:
            judge(response, 200)

    @task(4)
    def reserve(self) -> None:
        registry = random.choice(REGISTRIES)
        item = random.choice(registry["items"])
        url = f"/r/{registry['slug']}/items/{item['pk']}/reserve/"
        name = "/r/[slug]/items/[pk]/reserve/"
        with self.client.get(url, name=name, catch_response=True, allow_redirects=False) as form:
            # 302: already fully reserved, back to the registry with a message.
            if not judge(form, 200, 302) or form.status_code == 302:
                return
            token = csrf(form.text)
        quantity = random.choice([1, 1, 1, 2])
        data = {
            "csrfmiddlewaretoken": token,
            "quantity": quantity,
            "guest_name": "Load Guest",
            "guest_email": self.email,
            "message": "Congratulations from the load test!",
        }
        with self.client.post(
            url, data=data, name=name, catch_response=True, allow_redirects=False
        ) as response:
            # 302 to the manage page: reserved; to the registry: gone meanwhile; 200: the form says why not.
            if judge(response, 200, 302) and location(response).startswith(MANAGE):
                manage_token = location(response)[len(MANAGE) :].strip("/")
                self.mine[manage_token] = quantity
                tell(f"reserved {manage_token} {quantity} {self.email}")

    @task(1)
    def manage(self) -> None:
        if not self.mine:
            return
        manage_token = random.choice(list(self.mine))
        url, name = f"{MANAGE}{manage_token}/", "/reservations/[token]/"
        with self.client.get(url, name=name, catch_response=True) as page:
            if not judge(page, 200):
                return
            token = csrf(page.text)
        if random.random() < 0.3:
            data = {"csrfmiddlewaretoken": token, "action": "cancel"}
        else:
            quantity = random.randint(1, 3)
            data = {"csrfmiddlewaretoken": token, "action": "quantity", "quantity": quantity}
        with self.client.post(
            url, data=data, name=name, catch_response=True, allow_redirects=False
        ) as response:
            # 302 back to the manage page: done. 200: the quantity form says why not.
            if not judge(response, 200, 302) or response.status_code != 302:
                return
        if data["action"] == "cancel":
            del self.mine[manage_token]
            tell(f"cancelled {manage_token}")
        else:
            self.mine[manage_token] = data["quantity"]
            tell(f"changed {manage_token} {data['quantity']}")


class Couple(HttpUser):
    """A couple logged in through the login form: watches the dashboard, edits gifts."""

    fixed_count = len(REGISTRIES)
    wait_time = between(0.3, 1.0)

    def on_start(self) -> None:
        self.registry = REGISTRIES[next(_couples) % len(REGISTRIES)]
        with self.client.get("/accounts/login/", catch_response=True) as page:
            judge(page, 200)
            token = csrf(page.text)
        data = {
            "csrfmiddlewaretoken": token,
            "username": self.registry["owner"],
            "password": self.registry["password"],
        }
        with self.client.post(
            "/accounts/login/", data=data, catch_response=True, allow_redirects=False
        ) as response:
            if judge(response, 302) and not location(response).startswith("/registries/"):
                response.failure(f"login went to {location(response)}")

    @task(2)
    def dashboard(self) -> None:
        with self.client.get(
            f"/registries/{self.registry['slug']}/", name="/registries/[slug]/", catch_response=True
        ) as response:
            judge(response, 200)

    @task(3)
    def edit_item(self) -> None:
        item = random.choice(self.registry["items"])
        url = f"/registries/{self.registry['slug']}/items/{item['pk']}/edit/"
        name = "/registries/[slug]/items/[pk]/edit/"
        with self.client.get(url, name=name, catch_response=True) as page:
            if not judge(page, 200):
                return
            parser = FormFields()
            parser.feed(page.text)
            fields = parser.item_form()
            if fields is None:
                page.failure("no item form on the edit page")
                return
        fields["description"] = f"Edited under load ({uuid.uuid4().hex[:6]})."
        if not item["unlimited"] and random.random() < 0.3:
            # The couple want one more; never fewer, so it is never below what guests hold.
            fields["quantity"] = str(int(fields["quantity"]) + 1)
        with self.client.post(
            url, data=fields, name=name, catch_response=True, allow_redirects=False
        ) as response:
            judge(response, 302)
