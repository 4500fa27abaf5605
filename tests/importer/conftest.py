"""A real HTTP server on loopback serving sample product pages.

The importer's SSRF guard stays on in these tests: only this server's exact
address is let through, by ``IMPORTER_ALLOWED_ADDRESSES``.
"""

from __future__ import annotations

import io
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image

JSONLD_PAGE = """<!doctype html><html><head><title>Ignored title</title>
<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
 {"@type": "BreadcrumbList", "name": "Home"},
 {"@type": ["Product"], "name": "Copper Kettle 1.5 L", "description": "A kettle &amp; more.",
  "image": ["/img/kettle.jpg"],
  "offers": [{"@type": "Offer", "price": "89.90", "priceCurrency": "EUR"}]}
]}</script></head><body><h1>Kettle</h1></body></html>"""

OG_PAGE = """<!doctype html><html><head>
<meta property="og:title" content="Linen Bedding Set">
<meta property="og:description" content="Stonewashed linen, queen size.">
<meta property="og:image" content="http://{host}/img/bedding.jpg">
<meta property="product:price:amount" content="1,299.00">
<meta property="product:price:currency" content="USD">
<title>Bedding | Store</title></head><body></body></html>"""

META_PAGE = """<html><head><title>  Garden   Hammock  </title>
<meta name="description" content="Two-person hammock.">
</head><body><div itemscope itemtype="https://schema.org/Product">
<span itemprop="price" content="120.00">$120</span><meta itemprop="priceCurrency" content="GBP">
</div></body></html>"""

BROKEN_PAGE = """<html><head><title>Broken <b>Vase</title><meta property="og:title" content="Glass Vase"
<script type="application/ld+json">{not json at all</script><p><div><<<>>>"""


def _jpeg(color: str = "#a36") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (320, 240), color).save(buf, "JPEG")
    return buf.getvalue()


class ProductPages(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep test output quiet
        pass

    def _send(self, status: int, body: bytes, content_type: str = "text/html; charset=utf-8", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        host = self.headers.get("Host", "")
        path = self.path.split("?")[0]
        self.server.hits.append(path)
        if path == "/jsonld":
            self._send(200, JSONLD_PAGE.encode())
        elif path == "/og":
            self._send(200, OG_PAGE.replace("{host}", host).encode())
        elif path == "/meta":
            self._send(200, META_PAGE.encode())
        elif path == "/broken":
            self._send(200, BROKEN_PAGE.encode())
        elif path == "/bad-image":
            lamp = b'<meta property="og:title" content="Lamp">'
            self._send(200, lamp + b'<meta property="og:image" content="/not-an-image.jpg">')
        elif path == "/empty":
            self._send(200, b"<html><body><p>nothing here</p></body></html>")
        elif path == "/garbage":
            self._send(200, bytes(range(256)) * 40)
        elif path == "/huge":
            # streamed without Content-Length, 3 MB: the cap must stop reading
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            try:
                for _ in range(300):
                    self.wfile.write(b"<p>" + b"x" * 10_000 + b"</p>")
            except (BrokenPipeError, ConnectionResetError):
                pass
        elif path == "/slow":
            time.sleep(3)
            self._send(200, OG_PAGE.encode())
        elif path.startswith("/redirect/"):
            n = int(path.rsplit("/", 1)[1])
            target = "/og" if n <= 0 else f"/redirect/{n - 1}"
            self._send(302, b"", headers=[("Location", target)])
        elif path == "/redirect-internal":
            self._send(302, b"", headers=[("Location", self.server.internal_target)])
        elif path == "/notfound":
            self._send(404, b"<h1>Not found</h1>")
        elif path == "/pdf":
            self._send(200, b"%PDF-1.4 fake", "application/pdf")
        elif path.startswith("/img/"):
            self._send(200, _jpeg(), "image/jpeg")
        elif path == "/not-an-image.jpg":
            self._send(200, b"this is text", "image/jpeg")
        else:
            self._send(404, b"no such sample")


def _serve(handler):
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    server.hits = []
    # A client that stops reading (the size cap, a timeout) is expected here.
    server.handle_error = lambda request, address: None
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


@pytest.fixture(scope="session")
def _store_servers():
    store = _serve(ProductPages)
    other = _serve(ProductPages)  # a second loopback server that is NOT allowed
    # "localhost" resolves to 127.0.0.1: a redirect there must be refused.
    store.internal_target = f"http://localhost:{other.server_address[1]}/og"
    yield store, other
    for server in (store, other):
        server.shutdown()
        server.server_close()


@pytest.fixture
def store(_store_servers, settings):
    """Base URL of the sample store, allowed through the SSRF guard."""
    server, _other = _store_servers
    port = server.server_address[1]
    settings.IMPORTER_ALLOWED_ADDRESSES = [f"127.0.0.1:{port}"]
    settings.IMPORTER_READ_TIMEOUT = 1.0
    settings.IMPORTER_TOTAL_TIMEOUT = 4.0
    server.hits.clear()
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def store_hits(_store_servers):
    return _store_servers[0].hits


def dump(obj) -> str:
    return json.dumps(obj)
