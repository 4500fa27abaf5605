"""Jinja2 for the few templates on hot lists (``templates-jinja2/``), through Django's own backend.

Django's template language renders a gift card in about a millisecond;
Jinja2 compiles it to Python and renders it several times faster, which is
what a page of 24 cards rendered in full needs (docs/benchmark.md). Every
other template stays Django's.

The same words and formats as Django's templates: gettext (Jinja2's i18n
extension: ``{{ _("Reserve %(title)s")|format(title=item.title) }}``, plain
text, escaped with what fills it in), the active language's amounts
(``|money(item.currency)``), the thumbnails the rows keep
(``|thumbnail("480x360")``), ``url()``, and ``include_django()`` for a
Django template that a card shares with other pages.
``makemessages`` reads these files as it reads Django's: every ``_("…")``
at the start of a ``{{ }}`` is collected; plural wordings live in Python.
"""

from __future__ import annotations

from django.template.defaultfilters import truncatewords
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from jinja2 import Environment
from markupsafe import Markup

from apps.core.templatetags.money import money
from apps.core.templatetags.thumbnails import thumbnail


def include_django(template_name: str, **context) -> Markup:
    """A Django template rendered with ``context`` (already escaped by Django)."""
    return Markup(render_to_string(template_name, context))  # nosec B704  # noqa: S704  # Django escaped it


def environment(**options) -> Environment:
    """The environment ``TEMPLATES`` names for the Jinja2 backend."""
    options.setdefault("extensions", []).append("jinja2.ext.i18n")
    options.pop("autoescape", None)  # (Django's backend sets it too)
    env = Environment(autoescape=True, **options)
    env.install_gettext_callables(translation.gettext, translation.ngettext, newstyle=False)
    env.filters.update(money=money, thumbnail=thumbnail, truncatewords=truncatewords)
    env.globals.update(url=lambda name, *args: reverse(name, args=args), include_django=include_django)
    return env
