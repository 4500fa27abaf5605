"""Render and send a mail from ``templates/emails/<name>/``.

Each mail has ``subject.txt``, ``body.txt`` and ``body.html``; the HTML part
is attached as an alternative to the plain-text part.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def render(name: str, context: dict) -> tuple[str, str, str]:
    """Subject, text body and HTML body of the mail ``name``."""
    ctx = {"SITE_URL": settings.SITE_URL, **context}
    subject = render_to_string(f"emails/{name}/subject.txt", ctx).strip()
    subject = " ".join(subject.splitlines())
    text = render_to_string(f"emails/{name}/body.txt", ctx)
    html = render_to_string(f"emails/{name}/body.html", ctx)
    return subject, text, html


def send(name: str, to: str, context: dict) -> None:
    """Send the mail ``name`` to one address."""
    subject, text, html = render(name, context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach_alternative(html, "text/html")
    message.send()


def absolute(path: str) -> str:
    """An absolute URL on this site for ``path`` (mails need full links).

    >>> from django.conf import settings
    >>> absolute("/r/x/").endswith("/r/x/")
    True
    """
    return settings.SITE_URL.rstrip("/") + path
