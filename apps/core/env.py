"""Typed helpers that read settings from the environment.

>>> import os
>>> os.environ["WHISPER_DOCTEST_FLAG"] = "yes"
>>> env_bool("WHISPER_DOCTEST_FLAG")
True
>>> env_int("WHISPER_DOCTEST_MISSING", 7)
7
"""

from __future__ import annotations

import os
from pathlib import Path

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    """The variable's value, or ``default`` when it is unset."""
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    """A boolean: 1/true/yes/on or 0/false/no/off (any case)."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{name} must be a boolean, not {raw!r}")


def env_int(name: str, default: int) -> int:
    """An integer, or ``default`` when unset."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return int(raw)


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    """A comma-separated list; blanks are dropped.

    >>> os.environ["WHISPER_DOCTEST_LIST"] = "a.example, b.example,,"
    >>> env_list("WHISPER_DOCTEST_LIST")
    ['a.example', 'b.example']
    """
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [part.strip() for part in raw.split(",") if part.strip()]


def env_secret(name: str, default: str = "") -> str:
    """A secret, from ``NAME`` or from the file named by ``NAME_FILE``.

    Reading from a file keeps secrets out of the process listing and lets
    an orchestrator mount them (as healthchecks' ``envsecret`` does).
    """
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.environ.get(name, default)
