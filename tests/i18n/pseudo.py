"""A pseudo-locale built at test time, and a reader of what a page shows.

Every message of Whisper's catalogs (and of Django's, which ships its own
German) becomes "⟦message⟧" in the language ``en-xa``, plural forms too, with
its placeholders intact. A page rendered in it shows every translated word
between markers; ``unmarked(...)`` returns what it shows outside them that is
not data (names, amounts, dates, addresses, digits, punctuation).
"""

from __future__ import annotations

import re
from pathlib import Path

import django
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from bs4 import BeautifulSoup
from django.apps import apps
from django.conf import settings

PSEUDO = "en-xa"
OPEN, CLOSE = "⟦", "⟧"
# Words that are the same in every language: the brand, and the languages' own
# names in the chooser.
BRAND = ("Whisper", "PayPal", "English", "Deutsch", "Français", "Español", "❦")
ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")
_MARKED = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")
_DATA_LIKE = re.compile(
    r"""(?x)
    https?://\S+ | \S+@\S+ | /\S*/ | \b[A-Z]{3}\b   # links, addresses, paths, currency codes
    | [\d\W_]+                                       # digits, punctuation, symbols
    """
)


def _sources(domain: str) -> list[Path]:
    """The German catalogs of ``domain``: Whisper's, Django's, and its apps'."""
    dirs = [Path(p) for p in settings.LOCALE_PATHS]
    if domain == "django":
        dirs.append(Path(django.__file__).parent / "conf" / "locale")
        dirs += [Path(app.path) / "locale" for app in apps.get_app_configs()]
    return [
        d / "de" / "LC_MESSAGES" / f"{domain}.po"
        for d in dirs
        if (d / "de" / "LC_MESSAGES" / f"{domain}.po").exists()
    ]


def _mark(text: str) -> str:
    return f"{OPEN}{text}{CLOSE}" if text else text


def build(root: Path) -> Path:
    """Write the pseudo catalogs under ``root`` (a LOCALE_PATHS entry) and return it."""
    target = root / "en_XA" / "LC_MESSAGES"
    target.mkdir(parents=True, exist_ok=True)
    for domain in ("django", "djangojs"):
        pseudo = Catalog(locale="en", domain=domain)
        # Later sources first: Whisper's own catalog wins where a msgid is shared.
        for source in reversed(_sources(domain)):
            with source.open("rb") as f:
                for message in read_po(f):
                    if not message.id:
                        continue
                    string = (
                        tuple(_mark(i) for i in message.id) if message.pluralizable else _mark(message.id)
                    )
                    # Fuzzy or not, a msgid in the catalog is wrapped: this test is about wrapping
                    # (scripts/messages.sh check is about translating).
                    pseudo.add(message.id, string, context=message.context, flags=message.flags - {"fuzzy"})
        with (target / f"{domain}.mo").open("wb") as f:
            write_mo(f, pseudo)
    return root


def shown_text(html: str) -> str:
    """What a reader sees of ``html``: its title, text and the words in its attributes."""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "svg"]):
        tag.decompose()
    # The time zone chooser lists IANA names (Europe/Vienna): identifiers, like the couple's own words.
    for tag in soup.select('select[name="time_zone"] option, select[name="time_zone"] optgroup'):
        tag.decompose()
    parts = [soup.get_text(" ")]
    for tag in soup.find_all(True):
        parts += [tag[name] for name in ATTRIBUTES if isinstance(tag.get(name), str)]
        if tag.name == "input" and tag.get("type") in ("submit", "button") and tag.get("value"):
            parts.append(tag["value"])
        if tag.name == "meta" and tag.get("name") == "description":
            parts.append(tag.get("content", ""))
    return "\n".join(parts)


def unmarked(text: str, data: list[str]) -> list[str]:
    """The runs of ``text`` outside the markers that are neither data nor punctuation."""
    while True:  # innermost first: a message may hold another (a placeholder's value)
        text, n = _MARKED.subn(" ", text)
        if not n:
            break
    for value in sorted({d for d in data if d and d.strip()}, key=len, reverse=True):
        text = text.replace(value, " ")
    for word in BRAND:
        text = text.replace(word, " ")
    text = _DATA_LIKE.sub(" ", text)
    return [run.strip() for run in re.split(r"\s{2,}|\n", text) if re.search(r"[^\W\d_]{2,}", run)]


def data_of_the_database() -> list[str]:
    """Every text value stored in the database: the couple's and their guests' own words."""
    values: list[str] = []
    for model in apps.get_models():
        if not model._meta.app_config.name.startswith("apps."):
            continue  # Django's and other libraries' tables: model names, permissions…
        fields = [f.attname for f in model._meta.concrete_fields if f.get_internal_type() in _TEXT]
        if not fields:
            continue
        for row in model._base_manager.values_list(*fields):
            values += [str(v) for v in row if v]
    return values


_TEXT = {"CharField", "TextField", "EmailField", "URLField", "SlugField", "FileField"}
