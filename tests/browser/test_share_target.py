"""Share → Whisper on a phone: the manifest's share_target adds the shared product as a gift (issue 17).

The phone's share sheet POSTs the shared page to the manifest's
``share_target.action`` (no cookie-bound CSRF token, from no page of ours):
here a blank page with that form does the same. The importer fetches the
product from a shop served on loopback by this test.
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from apps.accounts.models import User
from apps.importer.models import ImportJob
from tests.browser.support import BROWSER, PHONE, PHONE_WIDTH, horizontal_overflow, log_in
from tests.factories import RegistryFactory

pytestmark = BROWSER

PASSWORD = "a-long-and-happy-life"
PRODUCT = b"""<!doctype html><html><head><title>Shop</title>
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "Product",
 "name": "Copper Kettle 1.5 L", "description": "Whistles when it boils.",
 "offers": {"@type": "Offer", "price": "89.90", "priceCurrency": "EUR"}}</script>
</head><body><h1>Copper Kettle</h1></body></html>"""


class Shop(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PRODUCT)))
        self.end_headers()
        self.wfile.write(PRODUCT)

    def log_message(self, *args):
        pass


@pytest.fixture
def shop(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Shop)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    settings.IMPORTER_ALLOWED_ADDRESSES = [f"127.0.0.1:{port}"]
    yield f"http://127.0.0.1:{port}/kettle?ref=share"
    server.shutdown()
    server.server_close()


def share_from_the_phone(page, action: str, **shared: str) -> None:
    """What Android's share sheet does: a form POST to the share target, from no page of ours."""
    fields = "".join(f'<input name="{name}" value="{value}">' for name, value in shared.items())
    page.set_content(f'<form method="post" action="{action}">{fields}</form>')
    page.locator("form").evaluate("form => form.submit()")


def test_sharing_a_product_page_lands_on_the_add_gift_form_filled_in(new_context, live_server, shop):
    couple = User.objects.create_user(email="robin@example.com", password=PASSWORD, email_verified=True)
    registry = RegistryFactory(owners=[couple])
    phone = new_context(**PHONE).new_page()
    log_in(phone, couple.email, PASSWORD)
    manifest = json.loads(phone.request.get("/manifest.webmanifest").body())
    target = manifest["share_target"]
    assert target["method"] == "POST"

    share_from_the_phone(
        phone,
        live_server.url + target["action"],
        title="Copper Kettle",
        text=f"Look what I found {shop}",
    )

    # The import started by itself and its result fills the add-a-gift form.
    expect(phone).to_have_url(
        re.compile(rf"/registries/{registry.slug}/items/new/\?import=\d+$"), timeout=15_000
    )
    expect(phone.get_by_label("Title", exact=True)).to_have_value("Copper Kettle 1.5 L")
    expect(phone.get_by_label("Price", exact=False).first).to_have_value("89.90")
    expect(phone.locator("input[name=store_url]")).to_have_value(shop)
    job = ImportJob.objects.get()  # started once, by the page the share opened
    assert (job.url, job.registry_id, job.status) == (shop, registry.pk, ImportJob.Status.DONE)
    assert horizontal_overflow(phone) <= 0
    assert phone.viewport_size["width"] == PHONE_WIDTH


def test_not_logged_in_the_share_asks_to_log_in_then_continues(new_context, live_server, shop):
    couple = User.objects.create_user(email="robin@example.com", password=PASSWORD, email_verified=True)
    registry = RegistryFactory(owners=[couple])
    phone = new_context(**PHONE).new_page()

    share_from_the_phone(phone, f"{live_server.url}/share/", url=shop)
    expect(phone).to_have_url(re.compile(r"/accounts/login/\?next=/share/"))
    phone.get_by_label("Email").fill(couple.email)
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Log in").click()

    expect(phone).to_have_url(
        re.compile(rf"/registries/{registry.slug}/items/new/\?import=\d+$"), timeout=15_000
    )
    expect(phone.get_by_label("Title", exact=True)).to_have_value("Copper Kettle 1.5 L")
