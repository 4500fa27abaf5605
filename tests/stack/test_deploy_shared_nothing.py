"""Shared nothing: two gunicorn nodes behind nginx, and it makes no difference which one answers.

Each request below goes straight to one node's port (58701 or 58702), so it
is known which node handled it. Sessions live in the cache and the database,
uploads in the shared media folder, the public page's fragments in memcached
keyed by versions kept in PostgreSQL.
"""

from __future__ import annotations

import io
import time
import uuid

import pytest
import requests
from bs4 import BeautifulSoup
from PIL import Image

from bench.helpers import form_fields
from tests.stack.conftest_deploy import WEB_PORTS

# The first test also waits for fab setup + deploy (pip install included): a longer budget.
pytestmark = [pytest.mark.stack, pytest.mark.timeout(900)]

SLUG = "alex-and-sam"
ROW_SECONDS = 1  # WHISPER_REGISTRY_ROW_SECONDS, production's default
MARGIN = 1.0  # a request's round trip and a busy 2-core box
NODE_A, NODE_B = WEB_PORTS


def node(port: int) -> str:
    return f"http://127.0.0.1:{port}"


def form_of(response: requests.Response, action: str):
    """The page's form that posts to ``action`` (a form without an action posts to its page)."""
    page = BeautifulSoup(response.text, "html.parser")
    form = page.find("form", action=action) or page.find("form", method="post", action=None)
    assert form is not None, f"no form posting to {action}"
    return form


def log_in(port: int) -> requests.Session:
    """A couple's browser, logged in through the node on ``port``."""
    browser = requests.Session()
    page = browser.get(f"{node(port)}/accounts/login/", timeout=30)
    data = form_fields(form_of(page, "/accounts/login/"), {"username": "demo@example.com"})
    data["password"] = "whisper-demo"
    done = browser.post(f"{node(port)}/accounts/login/", data=data, allow_redirects=False, timeout=30)
    assert done.status_code == 302, done.text[:2000]
    return browser


def test_a_session_from_one_node_is_good_on_the_other(site):
    browser = log_in(NODE_A)
    for port in (NODE_B, NODE_A, NODE_B, NODE_A):
        response = browser.get(f"{node(port)}/registries/", allow_redirects=False, timeout=30)
        assert response.status_code == 200, f"node {port} did not know the session"
        assert f"/registries/{SLUG}/" in response.text
    # Without the cookie each node sends the visitor to log in: the session was what counted.
    anonymous = requests.get(f"{node(NODE_B)}/registries/", allow_redirects=False, timeout=30)
    assert anonymous.status_code == 302
    assert "/accounts/login/" in anonymous.headers["Location"]


def test_an_image_uploaded_through_one_node_is_served_for_the_other(site):
    browser = log_in(NODE_A)
    add = f"/registries/{SLUG}/items/new/"
    data = form_fields(form_of(browser.get(f"{node(NODE_A)}{add}", timeout=30), add), {})
    title = f"Picnic basket {uuid.uuid4().hex[:8]}"
    data.update(title=title, quantity="1", price="", store_url="")
    picture = io.BytesIO()
    Image.new("RGB", (800, 600), (200, 120, 40)).save(picture, "JPEG")
    files = {"image": ("basket.jpg", picture.getvalue(), "image/jpeg")}
    added = browser.post(f"{node(NODE_A)}{add}", data=data, files=files, allow_redirects=False, timeout=30)
    assert added.status_code == 302, added.text[:3000]

    # Node B renders the public page: it reads the upload from the shared
    # folder to make the thumbnail, which nginx then serves.
    page = BeautifulSoup(requests.get(f"{node(NODE_B)}/r/{SLUG}/?show=all", timeout=30).text, "html.parser")
    card = next(card for card in page.select("article.item-card") if title in card.get_text())
    thumbnail = card.select_one("img")["src"]
    response = site.get(thumbnail)
    assert response.status_code == 200
    assert response.headers["Server"] == "nginx"
    assert response.headers["Content-Type"] == "image/jpeg"
    shrunk = Image.open(io.BytesIO(response.content))
    assert shrunk.size == (480, 360)
    assert shrunk.getpixel((240, 180)) == pytest.approx((200, 120, 40), abs=8)
    # The upload itself too (as the form stored it), under the name node A gave it.
    stored = site.sql("SELECT image FROM items_item WHERE title = %s", title)
    original = site.get(f"/media/{stored}")
    assert original.status_code == 200 and original.headers["Server"] == "nginx"
    assert Image.open(io.BytesIO(original.content)).size == (800, 600)


def test_a_reservation_through_one_node_shows_on_the_other_within_the_row_bound(site):
    """Node B's copy of the registry row lives WHISPER_REGISTRY_ROW_SECONDS (1 s, docs/caching.md)."""
    left_before = site.gifts_left(SLUG, port=NODE_B)  # node B has the page (and its fragments) cached
    pk, (left, quantity) = max(left_before.items(), key=lambda entry: entry[1][0])
    done = site.reserve(SLUG, pk, port=NODE_A)
    reserved_at = time.monotonic()
    assert done.status_code == 302, done.text[:3000]

    expected = None if left == 1 else (left - 1, quantity)  # None: "Reserved — thank you!"
    while (seen := site.gifts_left(SLUG, port=NODE_B).get(pk)) != expected:
        assert seen == (left, quantity), seen
        assert time.monotonic() - reserved_at < ROW_SECONDS + MARGIN, "node B still shows the old count"
        time.sleep(0.1)
