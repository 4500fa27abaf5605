"""Render a mail from ``templates/emails/<name>/`` and put it in the outbox.

Each mail has ``subject.txt``, ``body.txt`` and ``body.html`` (which extends
``emails/_layout.html``: inline CSS and the header image, attached inline).

``send()`` does not talk to a mail server: it writes an outbox row in the
caller's transaction (the outbox is ``apps.notifications``, which stands above
every app that sends mail, so it provides itself through :data:`outbox`), and a celery task
delivers it once that transaction commits, with retries. So call it *inside*
the transaction of the event that causes the mail: if the event is rolled
back, so is its mail, and if it commits, the mail is never lost.
"""

from __future__ import annotations

import contextlib

from django.conf import settings
from django.db.models import Model
from django.template.loader import render_to_string
from django.utils import translation

from .hooks import Hook

# ``queue(name, to, context)`` of the app that keeps the outbox (NotificationsConfig.ready).
outbox = Hook("the mail outbox")
# The same app answers for the addresses it mails: why one gets no mail at all
# ("" if it does) with how many mails of some templates it was sent since a
# time, and "mail it no more: its owner says a guest's mail was not theirs".
mail_standing = Hook("why an address gets no mail, and the mails it was sent")
not_me = Hook("an address whose owner says a guest's mail was not theirs")

# The Content-ID of the header image every mail carries (see _layout.html).
HEADER_CID = "email-header@whisper.inline"


def render(name: str, context: dict, language: str | None = None) -> tuple[str, str, str]:
    """Subject, text body and HTML body of the mail ``name``, in ``language`` (else the active one)."""
    ctx = {"SITE_URL": settings.SITE_URL, "HEADER_CID": HEADER_CID, **context}
    with translation.override(language) if language else contextlib.nullcontext():
        subject = render_to_string(f"emails/{name}/subject.txt", ctx).strip()
        subject = " ".join(subject.splitlines())
        text = render_to_string(f"emails/{name}/body.txt", ctx)
        html = render_to_string(f"emails/{name}/body.html", ctx)
    return subject, text, html


def send(name: str, to: str, context: dict, *, language: str | None = None, **coalesce) -> Model:
    """Queue the mail ``name`` to one address; it is delivered after the transaction commits.

    ``language`` is the recipient's: a guest's claim's, an account's
    (``user.language``). Without one, the mail speaks the active language
    (the request's, or English in a periodic job).

    Notifications (``apps.notifications.outbox.NOTIFICATIONS``) get an
    unsubscribe link and ``List-Unsubscribe`` headers; mail to a suppressed
    address is recorded and skipped. Returns the outbox row.

    ``coalesce_key``, ``delay`` and ``sticky`` (keywords): the mail waits
    ``delay`` seconds, and a newer mail with the same key replaces it meanwhile
    (see ``apps.notifications.outbox.queue``).
    """
    return outbox.only()(name, to, context, language=language, **coalesce)


def absolute(path: str) -> str:
    """An absolute URL on this site for ``path`` (mails need full links).

        >>> import contextlib

    from django.conf import settings
        >>> absolute("/r/x/").endswith("/r/x/")
        True
    """
    return settings.SITE_URL.rstrip("/") + path
