"""Hooks: how a lower app asks the apps above it for something without importing them.

Apps stand in layers (``[tool.importlinter]`` in pyproject.toml): an app
imports only the apps below it. When a lower app needs something from the
apps above (an account's data for its export, what to erase with it, the mail
outbox), it declares a :class:`Hook`, each app above registers its part in its
``AppConfig.ready()``, and the lower app calls them all — as pretix's data
shredders are contributed by each plugin.

>>> parts = Hook("parts")
>>> @parts.register
... def one(x):
...     return x + 1
>>> parts(1)
[2]
>>> parts.only()(2)
3
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")


class Hook:
    """A named list of functions contributed by the apps above the one that declares it."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._functions: list[Any] = []

    def register(self, function: T) -> T:
        """Add ``function`` (once: ``ready()`` may run twice in tests); usable as a decorator."""
        if function not in self._functions:
            self._functions.append(function)
        return function

    def __call__(self, *args: Any, **kwargs: Any) -> list[Any]:
        """Call every contributed function, in the order the apps are installed; their results."""
        return [function(*args, **kwargs) for function in self._functions]

    def only(self) -> Any:
        """What the one provider of a hook that takes exactly one registered (the outbox, the plan limits)."""
        if len(self._functions) != 1:
            raise ImproperlyConfigured(
                f"{self.name}: expected one app to provide it, got {len(self._functions)}"
            )
        return self._functions[0]
