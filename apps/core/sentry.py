"""Error reports to Sentry: set up sentry-sdk once, without personal data.

``init_sentry()`` is called from the settings when ``SENTRY_DSN`` is set; with
no DSN nothing is imported or sent. Events carry the release (the git revision
of the checkout unless ``SENTRY_RELEASE`` says otherwise) and the environment.
Default PII stays off (no user identity, IP address or cookies; the SDK's own
scrubber filters passwords and session data), and ``scrub_event`` replaces
every email address in the event (guests' addresses turn up in form data and
messages).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")
EMAIL_REPLACEMENT = "[email]"


def git_revision(path: Path | str) -> str | None:
    """The commit checked out at ``path``, or None when git cannot tell.

    >>> git_revision("/nonexistent-whisper-path") is None
    True
    """
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"],  # noqa: S607 (git from PATH, as deploy does)
            cwd=path,
            capture_output=True,
            text=True,
            timeout=2,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    revision = result.stdout.strip()
    return revision or None


def scrub(value: Any) -> Any:
    """``value`` with every email address in its strings replaced.

    >>> scrub({"msg": "from ann@example.com", "n": [1, "bo@x.org"]})
    {'msg': 'from [email]', 'n': [1, '[email]']}
    """
    if isinstance(value, str):
        return EMAIL_RE.sub(EMAIL_REPLACEMENT, value) if "@" in value else value
    if isinstance(value, dict):
        return {scrub(key): scrub(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(scrub(item) for item in value)
    return value


def scrub_event(event: dict, hint: dict) -> dict:
    """``before_send``: the event without email addresses anywhere in it."""
    return scrub(event)


def init_sentry(
    dsn: str,
    *,
    environment: str = "production",
    release: str | None = None,
    base_dir: Path | str | None = None,
    traces_sample_rate: float = 0.0,
) -> None:
    """Start sending errors (Django requests and celery tasks) to ``dsn``."""
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    if not release and base_dir is not None:
        release = git_revision(base_dir)
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        # send_default_pii is left unset, which means off: this SDK version
        # deprecates passing it at all, and passing data_collection instead
        # would switch off the default scrubber of passwords, cookies and IPs.
        before_send=scrub_event,
        before_send_transaction=scrub_event,
        traces_sample_rate=traces_sample_rate,
        integrations=[DjangoIntegration(), CeleryIntegration()],
    )
