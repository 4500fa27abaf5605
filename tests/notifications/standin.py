"""A loopback stand-in for Postmark's email API (``POST /email``).

Postmark cannot be reached from here, so the tests run this real HTTP server
on 127.0.0.1 and point anymail's ``POSTMARK_API_URL`` at it: the real
backend, with requests and its timeouts, talks to it. It checks the server
token and the payload the way Postmark does, and answers each request as
the test scripted: ``"ok"`` (200 with a MessageID), ``"422"`` (Postmark's
validation error), ``"500"``, or ``"hang"`` (holds the request until the
test releases it). Unscripted requests get ``"ok"``.
"""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    """One request the stand-in answered."""

    answer: str  # ok, 422, 500, hang, bad-token, invalid
    payload: dict
    message_id: str = ""
    problems: list[str] = field(default_factory=list)


def check_payload(payload: dict) -> list[str]:
    """What Postmark would refuse, or what every Whisper mail must carry (empty: fine)."""
    problems = [
        f"no {name}" for name in ("From", "To", "Subject", "HtmlBody", "TextBody") if not payload.get(name)
    ]
    images = [a for a in payload.get("Attachments") or [] if str(a.get("ContentID", "")).startswith("cid:")]
    if not images:
        problems.append("no inline image (an attachment with a ContentID)")
    for image in images:
        if not image.get("ContentType", "").startswith("image/"):
            problems.append(f"inline attachment of type {image.get('ContentType')!r}")
        try:
            base64.b64decode(image.get("Content", ""), validate=True)
        except ValueError:
            problems.append("inline image content is not base64")
        if image["ContentID"] not in payload.get("HtmlBody", ""):
            problems.append(f"HtmlBody does not show {image['ContentID']}")
    return problems


class PostmarkStandIn:
    def __init__(self, token: str) -> None:
        self.token = token
        self.received: list[Received] = []
        self.hanging = threading.Event()  # a request is being held
        self._release = threading.Event()
        self._script: list[str] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # The test's side ---------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    def answer(self, *answers: str) -> None:
        """How to answer the next requests, in order."""
        with self._lock:
            self._script.extend(answers)

    def delivered(self, to: str | None = None) -> list[Received]:
        """The mails Postmark would have accepted (answered 200), to ``to`` if given."""
        with self._lock:
            return [
                r for r in self.received if r.answer == "ok" and (to is None or to in r.payload.get("To", ""))
            ]

    def wait_until(self, condition: Callable[[], bool], timeout: float = 30.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return True
            time.sleep(0.1)
        return condition()

    def start(self) -> PostmarkStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()

    # The server's side -------------------------------------------------
    def _next_answer(self) -> str:
        with self._lock:
            return self._script.pop(0) if self._script else "ok"

    def _record(self, received: Received) -> None:
        with self._lock:
            self.received.append(received)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format, *args) -> None:  # quiet
                pass

            def _reply(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the client is gone (a killed worker)
                    pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                if self.path != "/email":
                    self._reply(404, {"ErrorCode": 404, "Message": "Not found."})
                    return
                if self.headers.get("X-Postmark-Server-Token") != standin.token:
                    standin._record(Received("bad-token", {}))
                    self._reply(401, {"ErrorCode": 10, "Message": "No valid Server API token was supplied."})
                    return
                try:
                    payload = json.loads(raw)
                except ValueError:
                    payload = {}
                problems = check_payload(payload)
                if problems:
                    standin._record(Received("invalid", payload, problems=problems))
                    self._reply(
                        422, {"ErrorCode": 300, "Message": "Invalid email request: " + "; ".join(problems)}
                    )
                    return
                answer = standin._next_answer()
                if answer == "hang":
                    standin._record(Received("hang", payload))
                    standin.hanging.set()
                    standin._release.wait(120)
                    answer = "500"  # if anyone is still listening
                if answer == "ok":
                    message_id = str(uuid.uuid4())
                    standin._record(Received("ok", payload, message_id))
                    self._reply(
                        200,
                        {
                            "To": payload["To"],
                            "SubmittedAt": "2026-11-24T09:00:00.0000000Z",
                            "MessageID": message_id,
                            "ErrorCode": 0,
                            "Message": "OK",
                        },
                    )
                elif answer == "422":
                    standin._record(Received("422", payload))
                    self._reply(422, {"ErrorCode": 300, "Message": "Invalid 'From' address: 'nobody'."})
                else:
                    standin._record(Received("500", payload))
                    self._reply(500, {"ErrorCode": 500, "Message": "Internal server error."})

        return Handler
