"""Payments fixtures: the plans, a pending order, and a loopback stand-in for PayPal.

PayPal's IPN postback endpoint cannot be reached from here, so ``paypal`` starts
a real HTTP server on 127.0.0.1 and points django-paypal at it: its
``paypal.standard.models`` module imports ``POSTBACK_ENDPOINT`` and
``SANDBOX_POSTBACK_ENDPOINT`` by name and ``get_endpoint()`` reads them there,
so those two module globals are what we patch. The real client code
(``apps.payments.postback``, with requests and its timeout) talks to it.
"""

from __future__ import annotations

import threading
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import paypal.standard.models as paypal_models
import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from apps.payments.models import Order, Plan
from tests.plan_rows import create_plans

DATA = Path(__file__).parent / "data"
INVOICE = "WSP-TEST-INVOICE-0001"
TXN_ID = "61E67681CH3238416"  # the payment in data/completed.txt
IPN_URL = "/paypal/ipn/"
FORM = "application/x-www-form-urlencoded"


def ipn_body(name: str, **changes: str) -> str:
    """The recorded IPN ``data/<name>.txt``, with some fields changed (``None`` drops one)."""
    raw = (DATA / f"{name}.txt").read_text().strip()
    if not changes:
        return raw
    data = QueryDict(raw, mutable=True, encoding="windows-1252")
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data.urlencode()


def post_ipn(client, body: str | bytes, content_type: str = FORM):
    """POST an IPN as PayPal does: a form-encoded body, no cookies, no CSRF token."""
    return client.post(IPN_URL, data=body, content_type=content_type)


# Queries the cache usually saves (the cached_db session, waffle's switches):
# memcached is shared, so another test run's cache.clear() can make them appear.
_CACHE_BACKED = ('"django_session"', '"waffle_')


def view_queries(client, url: str) -> list[str]:
    """The SQL a GET of ``url`` runs, minus the queries a warm cache saves."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries if not any(t in q["sql"] for t in _CACHE_BACKED)]


class PayPalStandIn:
    """What the stand-in answers, and what it was sent.

    ``answer`` is the body it replies with ("VERIFIED", "INVALID"), or "HANG"
    to never answer (until the test ends), or "ERROR" for an HTTP 500.
    ``barrier``, when set, holds each postback until that many have arrived.
    """

    def __init__(self) -> None:
        self.answer = "VERIFIED"
        self.received: list[bytes] = []
        self.barrier: threading.Barrier | None = None
        self.released = threading.Event()
        self.url = ""


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        standin: PayPalStandIn = self.server.standin
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        standin.received.append(body)
        if standin.barrier is not None:
            standin.barrier.wait(timeout=10)
        if standin.answer == "HANG":
            standin.released.wait(timeout=30)
            return
        status = 500 if standin.answer == "ERROR" else 200
        payload = standin.answer.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format, *args) -> None:  # quiet test output
        pass


@pytest.fixture
def paypal(monkeypatch):
    """A running PayPal postback stand-in that django-paypal verifies IPNs against."""
    standin = PayPalStandIn()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.standin = standin
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    standin.url = f"http://127.0.0.1:{server.server_address[1]}/cgi-bin/webscr"
    monkeypatch.setattr(paypal_models, "POSTBACK_ENDPOINT", standin.url)
    monkeypatch.setattr(paypal_models, "SANDBOX_POSTBACK_ENDPOINT", standin.url)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    yield standin
    standin.released.set()
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def plans(db) -> dict[str, Plan]:
    """Free and Premium, as the data migration creates them.

    Re-created here because transactional tests elsewhere may have flushed them.
    """
    create_plans()
    return {plan.slug: plan for plan in Plan.objects.filter(slug__in=["free", "premium"])}


@pytest.fixture
def premium(plans) -> Plan:
    return plans["premium"]


@pytest.fixture
def order(registry, premium, couple) -> Order:
    """A pending Premium order for ``registry`` whose invoice the recorded IPNs name."""
    return Order.objects.create(
        registry=registry,
        plan=premium,
        created_by=couple,
        invoice=INVOICE,
        amount=Decimal("39.00"),
        currency="USD",
    )
