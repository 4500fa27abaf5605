"""The one shape of an error a service refuses with: a stable code and a translatable message.

Services raise a :class:`ServiceError` subclass; views show ``str(error)``
(the message, translated into the reader's language when it is rendered);
tests assert ``error.code``. As django-registration's ``RegistrationError``
and Django's own ``ValidationError`` do, the message is a ``gettext_lazy``
string with ``%(name)s`` placeholders filled from ``params``.

>>> from django.utils.translation import gettext_lazy as _
>>> class Full(ServiceError):
...     code = "full"
...     message = _("Only %(left)s left.")
>>> error = Full(left=2)
>>> error.code, error.params["left"], str(error)
('full', 2, 'Only 2 left.')
>>> str(Full(message=_("Gone.")))
'Gone.'
"""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise


class ServiceError(Exception):
    """A request a service refused; nothing was written.

    Subclasses set ``code`` (stable, for views and tests to switch on) and a
    default ``message``; an instance may carry another message and ``params``.
    """

    code: str = "error"
    message: str | Promise = ""

    def __init__(
        self, message: str | Promise | None = None, *, code: str | None = None, **params: Any
    ) -> None:
        if message is not None:
            self.message = message
        if code is not None:
            self.code = code
        self.params = params
        super().__init__(self.code)

    def __str__(self) -> str:
        text = str(self.message)
        return text % self.params if self.params else text
