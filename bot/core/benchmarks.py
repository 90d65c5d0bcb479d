"""Moved to ``bot.core.facts``; this name stays only so that branches written before the move still import.

Import from ``bot.core.facts`` in new code. Remove this file once no branch imports ``bot.core.benchmarks``.
"""

from bot.core.facts import (
    FactExtractor,
    FactTable,
    SourceLookup,
    UnknownNameError,
    describe_conflict,
    diff_facts,
    extract_facts,
    extract_facts_reusing,
    find_conflicts,
    is_lower_better,
)

__all__ = [
    "FactExtractor",
    "FactTable",
    "SourceLookup",
    "UnknownNameError",
    "describe_conflict",
    "diff_facts",
    "extract_facts",
    "extract_facts_reusing",
    "find_conflicts",
    "is_lower_better",
]
