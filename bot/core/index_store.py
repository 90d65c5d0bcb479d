"""Kept so `from bot.core.index_store import ...` goes on working: the index is the package `bot.core.index`."""

from bot.core.index import *  # noqa: F403
from bot.core.index import __all__  # noqa: F401
