"""Which release of Whisper answered: the ``X-Whisper-Release`` response header.

``fab deploy`` writes the release's name (``<UTC time>-<git revision>``) into
a ``RELEASE`` file at the top of each release directory. A web node reads it
once, when its worker starts, and puts it on every response, so the deploy
(and an operator with ``curl -I``) can tell that the workers gunicorn
started after a reload run the new code. A checkout without the file (``make
run``, the loopback stack, tests) sends no header.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpRequest, HttpResponse

HEADER = "X-Whisper-Release"
FILENAME = "RELEASE"


def read_release(directory: Path) -> str:
    """The release name in ``directory``'s RELEASE file: its first line, or "" without one.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     empty = read_release(Path(tmp))
    ...     _ = (Path(tmp) / "RELEASE").write_text("20250102030405-abc123\\n")
    ...     empty, read_release(Path(tmp))
    ('', '20250102030405-abc123')
    """
    try:
        lines = (directory / FILENAME).read_text().splitlines()
    except (FileNotFoundError, NotADirectoryError):
        return ""
    return lines[0].strip() if lines else ""


class ReleaseHeaderMiddleware:
    """Adds ``X-Whisper-Release`` to every response of a deployed release."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.release = read_release(Path(settings.BASE_DIR))
        if not self.release:
            raise MiddlewareNotUsed("no RELEASE file: not a deployed release")
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response[HEADER] = self.release
        return response
