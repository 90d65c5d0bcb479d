"""Benchmark facts: extracted from articles' tables and prose at index time; looked up, compared, checked for conflicts.

Extraction favours precision: a number becomes a fact only when the text ties it to a model and to a benchmark.
The stages, in order:

- ``_layout``: a body as paragraphs (with headings) and tables; sentences.
- ``_mentions``: model names, benchmark-like name phrases and qualifiers in a sentence.
- ``_patterns`` + ``_prose``: the prose grammar (which number is whose score, on what).
- ``_tables``: table layouts (models x benchmarks, benchmark rows, long tables).
- ``_finalise``: canonical names, units, family restatements, quotes placed in chunks.
- ``extract``: the entry points the index build calls (re-reading only changed articles).
- ``lookup``: ``FactTable`` (benchmark, model, compare), moved on by an add (``_regroup``); ``_conflicts``: conflicts
  and re-index diffs; the standard library only, so the ``benchmark`` command starts fast.
"""

from typing import TYPE_CHECKING, Any

from bot.core.facts._conflicts import describe_conflict, diff_facts, diff_tables, find_conflicts
from bot.core.facts.lookup import FactTable, SourceLookup, UnknownNameError, is_lower_better

if TYPE_CHECKING:
    from bot.core.facts._finalise import SettledArticle, SettledFacts
    from bot.core.facts.extract import FactExtractor, extract_facts, extract_facts_reusing

# The extractor is imported on first use: a question or a lookup reads facts.json through FactTable alone,
# and the extractor's grammar (~200 regular expressions, the corpus readers) is ~70 ms of a cold start.
_EXTRACTION = {
    "SettledArticle": "bot.core.facts._finalise",
    "SettledFacts": "bot.core.facts._finalise",
    "FactExtractor": "bot.core.facts.extract",
    "extract_facts": "bot.core.facts.extract",
    "extract_facts_reusing": "bot.core.facts.extract",
}


def __getattr__(name: str) -> Any:
    module = _EXTRACTION.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "FactExtractor",
    "FactTable",
    "SettledArticle",
    "SettledFacts",
    "SourceLookup",
    "UnknownNameError",
    "describe_conflict",
    "diff_facts",
    "diff_tables",
    "extract_facts",
    "extract_facts_reusing",
    "find_conflicts",
    "is_lower_better",
]
