"""The pledge workflow's old names, for callers outside this app until they use ``services.AMOUNTS``."""

from .services import AMOUNTS, money

__all__ = ["money", "pledge"]
pledge = AMOUNTS.take
