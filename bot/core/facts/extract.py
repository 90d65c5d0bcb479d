"""The extractor entry points used by the index build: every benchmark score the articles state, re-reading only
the articles that changed since the saved state."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

from bot.core.aliases import AliasMap, load_default_aliases, merge_alias_maps
from bot.core.facts._finalise import SettledArticle, SettledFacts, finalize_facts
from bot.core.facts._layout import Layout, read_layout
from bot.core.facts._mentions import ModelMatcher, alias_model_names, primary_model
from bot.core.facts._prose import facts_from_prose
from bot.core.facts._tables import facts_from_tables, learn_table_models
from bot.core.facts._version import FACTS_SCHEMA_VERSION, extraction_sources, version_of
from bot.core.models import Article, BenchmarkFact, Chunk

log = logging.getLogger(__name__)

__all__ = ["FACTS_SCHEMA_VERSION", "FactExtractor", "extract_facts", "extract_facts_reusing", "extraction_sources"]


def extract_facts(
    articles: Sequence[Article], chunks: Sequence[Chunk], *, aliases: AliasMap | None = None
) -> tuple[BenchmarkFact, ...]:
    """Every benchmark score that the articles state, one fact per (benchmark, model, article, value).

    ``chunks`` are the articles' passages; each fact cites the chunk whose text holds its quote.
    ``aliases`` adds to ``bot/data/aliases.yaml`` (e.g. ``<corpus_dir>/aliases.yaml``).
    """
    return extract_facts_reusing(articles, chunks, None, aliases=aliases)[0]


def extract_facts_reusing(
    articles: Sequence[Article],
    chunks: Sequence[Chunk],
    saved: Mapping[str, object] | None,
    *,
    aliases: AliasMap | None = None,
    settled: dict[str, SettledArticle] | None = None,
) -> tuple[tuple[BenchmarkFact, ...], dict[str, object]]:
    """``extract_facts``, re-reading only the articles that changed since ``saved``; returns (facts, state to save).

    What one article yields depends on its own title and body and on the model names learned from every
    article's tables. Its raw facts are reused when its text, the learned names, the alias files and this
    code are all unchanged; naming, units and quotes are then settled across the corpus (``finalize_facts``)
    exactly as in a full extraction, so the facts are the same either way. ``settled`` (kept in memory by the
    caller from one call to the next) lets an article whose facts settle as before skip that work too.
    """
    alias_map = merge_alias_maps(load_default_aliases(), aliases)
    version = version_of(alias_map)
    old: Mapping[str, Mapping[str, object]] = {}
    if saved and saved.get("version") == version and isinstance(saved.get("articles"), dict):
        old = saved["articles"]  # type: ignore[assignment]
    keys = {article.id: _article_key(article) for article in articles}
    layouts: dict[str, Layout] = {}

    def layout_of(article: Article) -> Layout:
        if article.id not in layouts:
            layouts[article.id] = read_layout(article.body)
        return layouts[article.id]

    def unchanged(article: Article) -> Mapping[str, object] | None:
        entry = old.get(article.id)
        return entry if entry is not None and entry.get("key") == keys[article.id] else None

    learned: dict[str, list[str]] = {}
    for article in articles:
        entry = unchanged(article)
        names = entry["names"] if entry is not None else sorted(learn_table_models([layout_of(article)]))
        learned[article.id] = list(names)  # type: ignore[call-overload]
    matcher_names = set().union(*learned.values()) | alias_model_names(alias_map)
    names_key = hashlib.sha256(json.dumps(sorted(matcher_names)).encode("utf-8")).hexdigest()[:16]
    same_names = bool(saved) and saved.get("names_key") == names_key  # type: ignore[union-attr]
    matcher: ModelMatcher | None = None
    raw: dict[str, list[dict[str, Any]]] = {}
    state_articles: dict[str, dict[str, object]] = {}
    reread = 0
    for article in articles:
        entry = unchanged(article) if same_names else None
        saved_raw: Any
        if entry is not None:
            saved_raw = entry["raw"]
        else:
            reread += 1
            matcher = matcher or ModelMatcher(matcher_names)
            primary = primary_model(article, matcher)
            found = facts_from_tables(article.id, layout_of(article), matcher)
            found += facts_from_prose(article.id, layout_of(article), matcher, primary)
            saved_raw = [asdict(fact) for fact in found]
        raw[article.id] = saved_raw
        state_articles[article.id] = {"key": keys[article.id], "names": learned[article.id], "raw": saved_raw}
    log.debug("facts: %d of %d articles read, the others reused", reread, len(articles))
    state: dict[str, object] = {"version": version, "names_key": names_key, "articles": state_articles}
    # An article's raw facts are a function of its text, the learned names and this code with the aliases.
    signatures = {article.id: f"{version}|{names_key}|{keys[article.id]}" for article in articles}
    if isinstance(settled, SettledFacts) and settled.tally is None and saved and saved.get("version") == version:
        _restore_settled(settled, saved)
    facts = finalize_facts(raw, articles, chunks, alias_map, signatures=signatures, settled=settled)
    if isinstance(settled, SettledFacts) and (tally := settled.saved_tally()) is not None:
        state["tally"] = tally  # saved with the build, so that the first add after a load settles only its changes
    return facts, state


def _restore_settled(settled: SettledFacts, saved: Mapping[str, object]) -> None:
    """Take up the settling the saved build made, when the caller passed its facts, chunks and article ids with
    its state (``_facts``, ``_chunks``, ``_ids``: the index build does) and that build saved its counts."""
    tally, entries, facts, chunks = (saved.get(k) for k in ("tally", "articles", "_facts", "_chunks"))
    if not isinstance(tally, dict) or not isinstance(entries, dict) or facts is None or chunks is None:
        return
    if saved.get("_ids") != entries.keys():  # an article without its saved entry: its counts could not be taken back
        return
    prefix = f"{saved.get('version')}|{saved.get('names_key')}|"
    signatures = {article_id: prefix + str(entry.get("key")) for article_id, entry in entries.items()}
    raw = {article_id: entry.get("raw", ()) for article_id, entry in entries.items()}
    if settled.restore(tally, raw, signatures, chunks, facts):  # type: ignore[arg-type]
        log.debug("facts: the saved settling of %d articles taken up", len(entries))


class FactExtractor:
    """``extract_facts`` with the corpus's aliases bound; index builds call ``extract_reusing`` so that an
    unchanged article is not read again (see ``index_store.ReusingFactExtractor``). ``settled`` is where each
    article's settled facts are kept between builds (one ``SettledFacts`` per service; a new one when not given)."""

    def __init__(self, aliases: AliasMap | None = None, settled: dict[str, SettledArticle] | None = None) -> None:
        self.aliases = aliases
        self.settled: dict[str, SettledArticle] = settled if settled is not None else SettledFacts()

    def __call__(self, articles: Sequence[Article], chunks: Sequence[Chunk]) -> tuple[BenchmarkFact, ...]:
        return extract_facts(articles, chunks, aliases=self.aliases)

    def extract_reusing(
        self, articles: Sequence[Article], chunks: Sequence[Chunk], saved: Mapping[str, object] | None
    ) -> tuple[tuple[BenchmarkFact, ...], dict[str, object]]:
        return extract_facts_reusing(articles, chunks, saved, aliases=self.aliases, settled=self.settled)


def _article_key(article: Article) -> str:
    """What extraction reads of an article: its title and body."""
    return _text_key(article.title, article.body)


# Kept: every build keys every article again, and a serving process holds the same article texts from build to
# build (hashing 10,000 bodies was ~50 ms of an add).
@functools.lru_cache(maxsize=1 << 17)
def _text_key(title: str, body: str) -> str:
    return hashlib.sha256(f"{title}\n\n{body}".encode()).hexdigest()[:32]
