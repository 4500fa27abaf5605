"""The server's env file: ``KEY=value`` lines that production settings load.

``fab setup`` writes ``<prefix>/shared/env`` (mode 600) with the secret key,
the database, cache and broker addresses and the other values production
needs; every process of a release (gunicorn, celery, ``manage.py``) names it
in ``WHISPER_ENV_FILE`` and ``whisper/settings/production.py`` loads it before
anything reads the environment. The format is Docker's ``--env-file``: one
``KEY=value`` a line, the value verbatim up to the end of the line (no quotes,
no ``$`` expansion), ``#`` comments and blank lines ignored.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, MutableMapping
from pathlib import Path

_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def parse(text: str) -> dict[str, str]:
    """The variables in an env file's ``text``.

    >>> parse("# a comment\\n\\nSECRET_KEY=a=b#c \\nDB_NAME=whisper\\n")
    {'SECRET_KEY': 'a=b#c ', 'DB_NAME': 'whisper'}
    >>> parse("not a variable")
    Traceback (most recent call last):
    ...
    ValueError: env file line 1 is not KEY=value
    """
    values: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or not _KEY.fullmatch(key.strip()):
            raise ValueError(f"env file line {number} is not KEY=value")
        values[key.strip()] = value
    return values


def render(values: Mapping[str, str], header: str = "") -> str:
    """An env file holding ``values``, which :func:`parse` reads back as they were.

    >>> render({"DB_NAME": "whisper", "SENTRY_DSN": ""}, header="written by fab setup")
    '# written by fab setup\\nDB_NAME=whisper\\nSENTRY_DSN=\\n'
    >>> render({"BAD": "two\\nlines"})
    Traceback (most recent call last):
    ...
    ValueError: BAD: an env file value cannot hold a line break
    """
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    for key, value in values.items():
        if not _KEY.fullmatch(key):
            raise ValueError(f"{key!r} is not a variable name")
        if "\n" in value or "\r" in value:
            raise ValueError(f"{key}: an env file value cannot hold a line break")
        lines.append(f"{key}={value}")
    return "\n".join(lines) + "\n"


def load(path: str | os.PathLike | None, environ: MutableMapping[str, str] = os.environ) -> None:
    """Put the variables of the env file at ``path`` into ``environ``.

    A variable already set in the environment wins, so one can be overridden
    for a single command. No ``path`` (``WHISPER_ENV_FILE`` unset): nothing.
    """
    if not path:
        return
    for key, value in parse(Path(path).read_text()).items():
        environ.setdefault(key, value)
