"""A loopback HTTP server standing in for Sentry's ingest, and the SDK pointed at it."""

from __future__ import annotations

import gzip
import json
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sentry_sdk

from apps.core.sentry import init_sentry


def parse_envelope(body: bytes) -> list[tuple[dict, bytes]]:
    """The (item header, payload) pairs of a Sentry envelope."""
    _, _, rest = body.partition(b"\n")  # the envelope header
    items = []
    while rest.strip():
        header_line, _, rest = rest.partition(b"\n")
        header = json.loads(header_line)
        if "length" in header:
            payload, rest = rest[: header["length"]], rest[header["length"] + 1 :]
        else:
            payload, _, rest = rest.partition(b"\n")
        items.append((header, payload))
    return items


class Ingest:
    """What the stand-in received: raw bodies and the events inside them."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        self.received = threading.Condition()

    @property
    def events(self) -> list[dict]:
        return [
            json.loads(payload)
            for body in self.bodies
            for header, payload in parse_envelope(body)
            if header.get("type") == "event"
        ]


def _handler(ingest: Ingest):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            encoding = self.headers.get("Content-Encoding", "")
            if encoding == "gzip":
                body = gzip.decompress(body)
            elif encoding == "deflate":
                body = zlib.decompress(body)
            elif encoding == "br":
                import brotli

                body = brotli.decompress(body)
            with ingest.received:
                if self.path == "/api/1/envelope/":
                    ingest.bodies.append(body)
                ingest.received.notify_all()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args) -> None:  # keep the test output clean
            pass

    return Handler


@pytest.fixture
def sentry_ingest():
    """Sentry's SDK initialised by our own code, sending to a loopback server.

    Afterwards the client is closed and the previous one restored, so other
    tests run without Sentry as before.
    """
    ingest = Ingest()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(ingest))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    previous = sentry_sdk.get_client()
    init_sentry(
        f"http://public@127.0.0.1:{server.server_port}/1",
        environment="test",
        release="whisper@test-release",
    )
    try:
        yield ingest
    finally:
        sentry_sdk.get_client().close(timeout=2)
        sentry_sdk.get_global_scope().set_client(previous)
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def flush() -> None:
    sentry_sdk.flush(timeout=5)
