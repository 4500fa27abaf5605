"""A console mail backend for ``make run`` that a person can read.

Django's console backend prints the whole MIME message: every mail here has
an HTML alternative and an inline header image, so the text part (with the
link one wants to click) drowns in base64. This one prints the headers and
the text part as they are, and one line for each alternative or attachment.
"""

from __future__ import annotations

from email.header import decode_header, make_header
from email.mime.base import MIMEBase

from django.core.mail import EmailMessage
from django.core.mail.backends.console import EmailBackend as DjangoConsoleBackend

# MIME plumbing a reader does not need; every other header is shown.
_HIDDEN_HEADERS = {"content-type", "mime-version", "content-transfer-encoding"}


def readable(message: EmailMessage) -> str:
    """The mail as text: headers, a blank line, the text part, then a note per alternative or attachment.

    >>> from django.core.mail import EmailMultiAlternatives
    >>> mail = EmailMultiAlternatives("Hi", "Link: https://x.example/r/1/", "a@x.example", ["b@x.example"])
    >>> mail.attach_alternative("<p>Your link</p>", "text/html")
    >>> mail.attach("header.png", b"\\x89PNG....", "image/png")
    >>> print(readable(mail))  # doctest: +ELLIPSIS
    Subject: Hi
    From: a@x.example
    To: b@x.example
    Date: ...
    Message-ID: ...
    <BLANKLINE>
    Link: https://x.example/r/1/
    <BLANKLINE>
    [text/html alternative, 16 characters, not shown]
    [attachment header.png, image/png, 8 bytes, not shown]
    """
    mime = message.message()
    # Headers as a person reads them: "Subject: You reserved “Kettle”", not RFC 2047's =?utf-8?q?…
    lines = [
        f"{name}: {make_header(decode_header(value))}"
        for name, value in mime.items()
        if name.lower() not in _HIDDEN_HEADERS
    ]
    lines += ["", message.body.rstrip("\n"), ""]
    for content, mimetype in getattr(message, "alternatives", []):
        lines.append(f"[{mimetype} alternative, {len(content)} characters, not shown]")
    for attachment in message.attachments:
        lines.append(_attachment_note(attachment))
    return "\n".join(lines)


def _attachment_note(attachment) -> str:
    if isinstance(attachment, MIMEBase):
        payload = attachment.get_payload(decode=True) or b""
        name = attachment.get_filename() or attachment.get("Content-ID", "unnamed")
        kind = attachment.get_content_disposition() or "attachment"
        return f"[{kind} {name}, {attachment.get_content_type()}, {len(payload)} bytes, not shown]"
    filename, content, mimetype = attachment
    return f"[attachment {filename}, {mimetype or 'unknown type'}, {len(content)} bytes, not shown]"


class EmailBackend(DjangoConsoleBackend):
    """Django's console backend, printing each mail readably (see :func:`readable`)."""

    def write_message(self, message: EmailMessage) -> None:
        self.stream.write(readable(message) + "\n")
        self.stream.write("-" * 79 + "\n")
