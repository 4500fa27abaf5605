"""The stylesheet: every class of the shared vocabulary is styled, nothing is fetched elsewhere."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

CSS = Path(settings.BASE_DIR, "static", "css", "whisper.css").read_text()


def vocabulary() -> set[str]:
    """The class names the header comment promises to the other templates."""
    header = CSS.split("*/", 1)[0]
    names = set(re.findall(r"\.([a-z][a-z0-9_-]*(?:--[a-z0-9-]+)?)", header))
    # ".message--success/.message--error" style shorthands
    names |= {f"message--{kind}" for kind in re.findall(r"message--([a-z]+)", header)}
    return names


def test_the_vocabulary_is_the_one_templates_were_promised():
    promised = {
        "container",
        "container--narrow",
        "stack",
        "cluster",
        "grid",
        "page-header",
        "section",
        "card",
        "card__body",
        "panel",
        "empty",
        "btn",
        "btn-primary",
        "btn-secondary",
        "btn-danger",
        "btn-small",
        "link-button",
        "inline-form",
        "form",
        "field",
        "field--error",
        "field--checkbox",
        "help",
        "error",
        "form-errors",
        "form-actions",
        "badge",
        "badge--wanted",
        "badge--done",
        "muted",
        "lead",
        "price",
        "progress",
        "item-grid",
        "item-card",
        "item-card__image",
        "item-card__body",
        "item-card__meta",
        "table",
        "table-wrap",
        "messages",
        "message--success",
        "message--error",
        "message--info",
        "message--warning",
    }
    assert promised <= vocabulary()


def test_every_vocabulary_class_has_a_rule():
    rules = CSS.split("*/", 1)[1]
    for name in vocabulary():
        assert re.search(rf"\.{re.escape(name)}(?![a-z0-9_-])[^{{;]*\{{", rules), f".{name} has no rule"


def test_nothing_is_loaded_from_elsewhere():
    assert "@import" not in CSS
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", CSS)
    assert "@font-face" not in CSS
