"""The gift cards of the public page: rendered by Jinja2, each cached by its gift's version.

A card (``templates-jinja2/registries/_item_card.html``) depends only on its gift and
on what every guest sees alike (the spoiler view, the registry's phase and
address, the group-gift flag, the language, the templates), so it is kept
under a key of them all (``registry-item``, Django's fragment scheme): one
reservation or edit bumps one gift's ``cache_version``, and the next page
renders that card again and takes the others from memcached in one read.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.cache import cache
from django.template import engines
from django.utils import translation
from django.utils.html import strip_spaces_between_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import ngettext

from apps.core.cache import FRAGMENT_SECONDS, code_version, fragment_key

# In templates-jinja2/, through the "jinja2" engine (whisper/settings/base.py).
TEMPLATE = "registries/_item_card.html"


def units_left(item) -> str:
    """How many of a gift's units guests may still reserve ("2 of 3 left")."""
    quantity = item.quantity or 0
    return ngettext("%(remaining)s of %(quantity)s left", "%(remaining)s of %(quantity)s left", quantity) % {
        "remaining": item.remaining(),
        "quantity": quantity,
    }


def render_cards(items: Iterable, *, registry, show_state: bool, phase: str, flags) -> list[SafeString]:
    """The cards of ``items``, in order: from the cache where their versions are, else rendered (and kept)."""
    items = list(items)
    language, version = translation.get_language(), code_version()
    keys = [
        fragment_key(
            "registry-item", item.pk, item.cache_version, show_state, phase, registry.slug, language, version
        )
        for item in items
    ]
    found = cache.get_many(keys) if keys else {}
    template, made = None, {}
    for item, key in zip(items, keys, strict=True):
        if key not in found:
            template = template or engines["jinja2"].get_template(TEMPLATE)
            context = {
                "item": item,
                "registry": registry,
                "show_state": show_state,
                "phase": phase,
                "flags": flags,
                "units_left": units_left,
            }
            made[key] = found[key] = strip_spaces_between_tags(template.render(context).strip())
    if made:
        cache.set_many(made, FRAGMENT_SECONDS)
    return [mark_safe(found[key]) for key in keys]  # nosec B308, B703  # Jinja2 escaped every value
