"""Feature flags (django-waffle) that turn whole features off without a deploy.

Call ``is_enabled(IMPORTER, request)`` in views and ``is_enabled(DIGEST_MAIL)``
where there is no request (tasks, commands). Templates get the same answer
through ``{% if flags.group_gifts %}`` (see ``apps.ops.context_processors``).
"""

from __future__ import annotations

from django.http import HttpRequest
from waffle import get_waffle_flag_model

IMPORTER = "importer"
GROUP_GIFTS = "group_gifts"
DIGEST_MAIL = "digest_mail"

# A feature is on until an operator turns it off: a flag missing from the
# database (a fresh or flushed one) counts as on, not as waffle's "off".
DEFAULTS: dict[str, bool] = {IMPORTER: True, GROUP_GIFTS: True, DIGEST_MAIL: True}


def is_enabled(name: str, request: HttpRequest | None = None) -> bool:
    """Whether the feature ``name`` is on (for this request, when given).

    With a request, waffle's per-user rules apply (everyone, staff, percent…).
    Without one, a flag is on only when it is on for everyone (or unknown to
    the database and on by default).
    """
    flag = get_waffle_flag_model().get(name)
    if not flag.pk:
        return DEFAULTS.get(name, False)
    if request is None:
        return bool(flag.everyone)
    return bool(flag.is_active(request))


class RequestFlags:
    """Template access to flags: ``{{ flags.importer }}``; each looked up once."""

    def __init__(self, request: HttpRequest | None) -> None:
        self._request = request
        self._seen: dict[str, bool] = {}

    def __getitem__(self, name: str) -> bool:
        if name not in self._seen:
            self._seen[name] = is_enabled(name, self._request)
        return self._seen[name]
