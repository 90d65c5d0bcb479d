"""Benchmark facts: extracted from articles' tables and prose at index time; looked up, compared, checked for conflicts.

Extraction favours precision: a number becomes a fact only when the text ties it to a model and to a benchmark.
The stages, in order:

- ``_layout``: a body as paragraphs (with headings) and tables; sentences.
- ``_mentions``: model names, benchmark-like name phrases and qualifiers in a sentence.
- ``_patterns`` + ``_prose``: the prose grammar (which number is whose score, on what).
- ``_tables``: table layouts (models x benchmarks, benchmark rows, long tables).
- ``_finalise``: canonical names, units, family restatements, quotes placed in chunks.
- ``extract``: the entry points the index build calls (re-reading only changed articles).
- ``lookup``: ``FactTable`` (benchmark, model, compare), conflicts and re-index diffs; the standard library only,
  so the ``benchmark`` command starts fast.
"""

from bot.core.facts._finalise import SettledArticle
from bot.core.facts.extract import FactExtractor, extract_facts, extract_facts_reusing
from bot.core.facts.lookup import (
    FactTable,
    SourceLookup,
    UnknownNameError,
    describe_conflict,
    diff_facts,
    find_conflicts,
    is_lower_better,
)

__all__ = [
    "FactExtractor",
    "FactTable",
    "SettledArticle",
    "SourceLookup",
    "UnknownNameError",
    "describe_conflict",
    "diff_facts",
    "extract_facts",
    "extract_facts_reusing",
    "find_conflicts",
    "is_lower_better",
]
