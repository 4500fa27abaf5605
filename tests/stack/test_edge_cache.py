"""nginx's shared cache of guest pages, through the real stack (nginx → gunicorn, scripts/stack.sh).

What guests notice: a page served again from nginx (``X-Cache-Status: HIT``),
their own reservation at once, another guest's within the bound
``WHISPER_SHARED_CACHE_SECONDS`` + ``WHISPER_REGISTRY_ROW_SECONDS`` (docs/caching.md), and nothing of a
protected registry ever kept by the cache.
"""

from __future__ import annotations

import json
import time
import uuid
from urllib.parse import urljoin

import pytest
import requests
from bs4 import BeautifulSoup

from bench.helpers import form_fields

pytestmark = pytest.mark.stack

BOUND = 3.0  # WHISPER_SHARED_CACHE_SECONDS + WHISPER_REGISTRY_ROW_SECONDS (defaults, kept by bench)
MARGIN = 0.5  # a poll's interval and a revalidation's round trip on a busy 2-core box
SHARED = "public, max-age=0, s-maxage=1, stale-if-error=86400"
FROM_CACHE = {"HIT", "STALE", "UPDATING", "REVALIDATED"}

MAKE = """
import json
from tests.factories import ItemFactory, RegistryFactory, UserFactory
from apps.registries.models import Registry
tag = {tag!r}
couple = UserFactory(email=f"edge-{{tag}}@example.com")
public = RegistryFactory(slug=f"edge-{{tag}}", owners=[couple])
teapot = ItemFactory(registry=public, title="Teapot", quantity=1, position=1)
ItemFactory(registry=public, title="Hammock", quantity=2, position=2)
locked = RegistryFactory(slug=f"edge-locked-{{tag}}", owners=[couple], privacy=Registry.Privacy.PROTECTED)
locked.set_passphrase("open sesame")
locked.save()
ItemFactory(registry=locked, title="Secret teapot", position=1)
print(json.dumps({{"public": public.slug, "teapot": teapot.pk, "locked": locked.slug}}))
"""


@pytest.fixture(scope="module")
def made(stack):
    """Two fresh registries in the stack's database: a public one with a teapot, a protected one."""
    done = stack.sh("manage", "shell", "-c", MAKE.format(tag=uuid.uuid4().hex[:8]))
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def _get(stack, path: str, **headers) -> requests.Response:
    """A GET by a guest with no cookies at all, as a browser asks (gzip accepted)."""
    return stack.get(path, headers={"Accept-Encoding": "gzip", **headers})


def _post_form(html: str):
    return BeautifulSoup(html, "html.parser").find("form", method=lambda m: bool(m) and m.lower() == "post")


def _status(response: requests.Response) -> str | None:
    return response.headers.get("X-Cache-Status")


def test_the_second_guest_gets_the_page_from_nginx(stack, made):
    path = f"/r/{made['public']}/"
    first = _get(stack, path)
    second = _get(stack, path)

    assert first.status_code == second.status_code == 200
    assert _status(first) == "MISS"
    assert _status(second) == "HIT"
    assert second.headers["Cache-Control"] == SHARED
    assert second.headers["ETag"] == first.headers["ETag"] and second.headers["ETag"].startswith('"')
    assert second.headers["Content-Encoding"] == "gzip"
    assert "Teapot" in second.text
    assert second.headers["X-Frame-Options"] == "DENY"  # Django's headers are kept with the page
    # A browser's revalidation is answered by nginx itself; plain text has a tag of its own.
    again = _get(stack, path, **{"If-None-Match": second.headers["ETag"]})
    assert again.status_code == 304
    plain = stack.get(path, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    assert plain.headers["ETag"] != first.headers["ETag"]
    assert "Teapot" in plain.text


def test_the_marketing_pages_come_from_nginx_too(stack):
    _get(stack, "/pricing/")
    second = _get(stack, "/pricing/")
    assert second.status_code == 200
    assert _status(second) in FROM_CACHE
    assert second.headers["Cache-Control"] == SHARED


def test_a_guest_sees_their_reservation_at_once_and_others_within_the_bound(stack, made):
    path = f"/r/{made['public']}/"
    reserve = f"/r/{made['public']}/items/{made['teapot']}/reserve/"
    for _ in range(2):
        assert f'href="{reserve}"' in _get(stack, path).text  # the teapot is free…
    assert _status(_get(stack, path)) in FROM_CACHE  # …and the page is in nginx's cache

    guest = requests.Session()
    form_page = guest.get(stack.url + reserve, timeout=30)
    assert form_page.status_code == 200
    form = _post_form(form_page.text)
    data = form_fields(form, {"name": "Pat", "email": "pat@example.com", "quantity": "1"})
    posted = guest.post(stack.url + reserve, data=data, timeout=30, allow_redirects=False)
    reserved_at = time.monotonic()
    assert posted.status_code == 302, posted.text[-2000:]
    assert _status(posted) is None  # a POST never touches the cache
    # The guest follows the redirect with their cookies: Django's own answer, their reservation on it.
    mine = guest.get(urljoin(stack.url + reserve, posted.headers["Location"]), timeout=30)
    assert mine.status_code == 200
    assert _status(mine) not in FROM_CACHE
    assert "Teapot" in mine.text
    # Back on the registry page (the message was read): still Django's answer, the teapot taken.
    back = guest.get(stack.url + path, timeout=30)
    assert time.monotonic() - reserved_at < BOUND  # (else this proves nothing)
    assert _status(back) == "BYPASS"  # their whisper_fresh cookie
    assert f'href="{reserve}"' not in back.text

    # Another guest, without cookies, keeps reloading the registry page.
    seen_after = None
    while time.monotonic() - reserved_at < BOUND + MARGIN + 1:
        if f'href="{reserve}"' not in _get(stack, path).text:
            seen_after = time.monotonic() - reserved_at
            break
        time.sleep(0.05)
    assert seen_after is not None, "another guest never saw the reservation"
    assert seen_after <= BOUND + MARGIN, f"another guest saw it after {seen_after:.2f} s"


def test_a_protected_registry_and_its_passphrase_page_never_come_from_the_cache(stack, made):
    page = f"/r/{made['locked']}/"
    ask = f"/r/{made['locked']}/passphrase/"
    for _ in range(3):
        locked = _get(stack, page)
        assert locked.status_code == 302
        assert _status(locked) not in FROM_CACHE
        assert "private" in locked.headers["Cache-Control"]
        form = _get(stack, ask)
        assert form.status_code == 200
        assert _status(form) not in FROM_CACHE
        assert "private" in form.headers["Cache-Control"] and "no-store" in form.headers["Cache-Control"]

    guest = requests.Session()
    form = _post_form(guest.get(stack.url + ask, timeout=30).text)
    data = form_fields(form, {"passphrase": "open sesame"})
    unlocked = guest.post(stack.url + ask, data=data, timeout=30, allow_redirects=False)
    assert unlocked.status_code == 302
    for _ in range(2):
        mine = guest.get(stack.url + page, timeout=30, allow_redirects=False)
        assert mine.status_code == 200
        assert "Secret teapot" in mine.text
        assert _status(mine) == "BYPASS"  # their session cookie
        assert "private" in mine.headers["Cache-Control"]
    # And what the unlocked guest saw was never stored for a stranger.
    assert _get(stack, page).status_code == 302


def _last_timelog(stack) -> dict:
    """The last request Django answered, as the operators' timing report has it."""
    return json.loads((stack.run_dir / "timelog.log").read_text().splitlines()[-1])


def test_a_revalidation_past_the_cache_is_answered_by_django_before_rendering(stack, made):
    # A guest past the passphrase (a session, as a couple has): their pages bypass the
    # cache, private, with a tag of their own.
    ask = f"/r/{made['locked']}/passphrase/"
    page = f"/r/{made['locked']}/"
    guest = requests.Session()
    form = _post_form(guest.get(stack.url + ask, timeout=30).text)
    guest.post(stack.url + ask, data=form_fields(form, {"passphrase": "open sesame"}), timeout=30)
    mine = guest.get(stack.url + page, timeout=30, allow_redirects=False)
    assert mine.status_code == 200 and "Secret teapot" in mine.text
    assert _last_timelog(stack)["status"] == 200

    # Their browser's reload: nginx passes its If-None-Match on, and Django answers 304
    # itself, before rendering anything (without it, nginx would ask Django for the whole
    # page and answer the 304 afterwards: the timelog would say 200).
    again = guest.get(stack.url + page, headers={"If-None-Match": mine.headers["ETag"]}, timeout=30)
    assert again.status_code == 304
    assert _status(again) == "BYPASS"
    assert again.headers["ETag"] == mine.headers["ETag"]
    logged = _last_timelog(stack)
    assert (logged["view"], logged["status"]) == ("registries:public", 304)

    # A tag that no longer matches gets the whole page.
    stale = guest.get(stack.url + page, headers={"If-None-Match": 'W/"not-this-one"'}, timeout=30)
    assert stale.status_code == 200 and "Secret teapot" in stale.text


def test_nginx_revalidates_a_stored_page_and_django_answers_304(stack, made):
    path = f"/r/{made['public']}/"
    for _ in range(2):
        stored = _get(stack, path)
    assert _status(stored) in FROM_CACHE | {"MISS", "EXPIRED"}
    time.sleep(BOUND)  # past s-maxage: the copy must be revalidated
    again = _get(stack, path)
    assert again.status_code == 200 and "Teapot" in again.text
    assert _status(again) == "REVALIDATED"  # nginx asked with its copy's tag, and Django said 304
    logged = _last_timelog(stack)
    assert (logged["view"], logged["status"]) == ("registries:public", 304)


def test_a_post_is_never_answered_or_stored_by_the_cache(stack, made):
    ask = f"/r/{made['locked']}/passphrase/"
    session = requests.Session()
    form = _post_form(session.get(stack.url + ask, timeout=30).text)
    for _ in range(2):
        answer = session.post(stack.url + ask, data=form_fields(form, {"passphrase": "nope"}), timeout=30)
        assert answer.status_code == 200
        assert "doesn" in answer.text  # "That passphrase doesn't match"
        assert _status(answer) is None


def test_the_benchmarks_bypass_header_reaches_django(stack, made):
    path = f"/r/{made['public']}/"
    _get(stack, path)
    bypassed = _get(stack, path, **{"X-Bench-Edge": "bypass"})
    assert bypassed.status_code == 200
    assert _status(bypassed) == "BYPASS"
