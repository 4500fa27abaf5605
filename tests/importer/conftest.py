"""A real HTTP server on loopback serving sample product pages.

The importer's SSRF guard stays on in these tests: only this server's exact
address is let through, by ``IMPORTER_ALLOWED_ADDRESSES``.
"""

from __future__ import annotations

import io
import json
import struct
import threading
import time
import zlib
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


# A product whose data holds what PostgreSQL will not store: NUL characters (raw and
# escaped in JSON) and a lone surrogate.
NUL_PAGE = (
    b'<script type="application/ld+json">{"@type": "Product", "name": "Tea\\u0000pot",'
    b' "description": "Cast \\ud800iron", "image": "/img/tea\\u0000pot.jpg",'
    b' "offers": {"price": "35.00", "priceCurrency": "EUR"}}</script>'
    b'<meta name="description" content="raw \x00 nul">'
)


def _page_with_image(path: str) -> bytes:
    return f'<meta property="og:title" content="Lamp"><meta property="og:image" content="{path}">'.encode()


def _png_bomb(side: int = 13000) -> bytes:
    """A valid PNG of ``side`` × ``side`` black pixels, a few dozen KB on the wire (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)  # 1-bit greyscale
    rows = zlib.compress(b"\0" * ((side // 8 + 2) * side), 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def _corrupt_png() -> bytes:
    """A PNG whose pixel data fails its checksum: Pillow's verify() raises SyntaxError."""
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), "#3a6").save(buf, "PNG")
    data = bytearray(buf.getvalue())
    idat = data.index(b"IDAT")
    data[idat + 6] ^= 0xFF
    return bytes(data)


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

    def _trickle(self, head: bytes, content_type: str = "text/html", every: float = 0.4):
        """Headers at once (unless ``head`` is empty), then one byte every ``every`` seconds for 30 s."""
        self.wfile.write(head)
        self.wfile.flush()
        try:
            for _ in range(int(30 / every)):
                time.sleep(every)
                self.wfile.write(b"x")
                self.wfile.flush()
        except OSError:  # the client hung up: what we want
            pass

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
        elif path == "/trickle":
            self._trickle(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<title>Teapot</title><p>")
        elif path == "/trickle-headers":
            self._trickle(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        elif path == "/trickle-image":
            self._send(200, _page_with_image("/img/trickle.jpg"))
        elif path == "/img/trickle.jpg":
            self._trickle(b"HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\n\r\n" + _jpeg()[:100])
        elif path.startswith("/bomb-"):
            self._send(200, _page_with_image(f"/img/{path[1:]}.png"))
        elif path.startswith("/img/bomb-"):
            self._send(200, _png_bomb(int(path.split("-")[1].split(".")[0])), "image/png")
        elif path == "/corrupt":
            self._send(200, _page_with_image("/img/corrupt.png"))
        elif path == "/img/corrupt.png":
            self._send(200, _corrupt_png(), "image/png")
        elif path == "/nul":
            self._send(200, NUL_PAGE)
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


@pytest.fixture
def deadline(store, settings):
    """The whole-fetch deadline of one job, as the store's settings set it."""
    from apps.importer.http import Deadline

    with Deadline(settings.IMPORTER_TOTAL_TIMEOUT) as deadline:
        yield deadline
