"""What a table cell or a sentence states, before names, units and quotes are settled across the corpus."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class RawFact:
    benchmark: str
    model: str
    value_text: str
    value: float
    unit: str
    qualifier: str
    article_id: str
    parts: tuple[str, ...]  # quote pieces as written in the body, the last one holds the value
    fallback: tuple[str, ...]  # shorter quote when ``parts`` is not inside one chunk
    position: int
    from_table: bool = False
