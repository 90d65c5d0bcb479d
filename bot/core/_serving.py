"""One index build made ready to answer: its term statistics, facts table, sources and passage texts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.core.models import Article, SourceRef

if TYPE_CHECKING:  # types only: the modules themselves are imported where they are used, for a fast cold start
    from bot.core.facts import FactTable
    from bot.core.index import LoadedIndex
    from bot.core.models import BenchmarkFact
    from bot.core.names import NameCatalog
    from bot.core.search import TermStats


@dataclass(slots=True)
class _Serving:
    """Everything one build needs to answer; swapped as a whole under the service lock."""

    index: LoadedIndex
    term_stats: TermStats
    facts: FactTable
    sources: dict[str, SourceRef] = field(default_factory=dict)
    chunk_text: dict[str, str] = field(default_factory=dict)
    _article_tokens: dict[str, set[str]] = field(default_factory=dict)
    _article_words: dict[str, set[str]] = field(default_factory=dict)

    def article_words(self, article_id: str) -> set[str]:
        """Every search token of one whole article, made on first use (for a head noun that refers back)."""
        self.article_tokens(article_id)
        return self._article_words[article_id]

    def article_tokens(self, article_id: str) -> set[str]:
        """The search tokens one whole article keeps coming back to (three times or more), made on first use:
        an article about "the API" carries that name into its sentences; one that says "Dow" once does not."""
        tokens = self._article_tokens.get(article_id)
        if tokens is None:
            from collections import Counter

            from bot.core.text import tokenize

            counts: Counter[str] = Counter()
            for chunk in self.index.chunks:
                if chunk.article_id == article_id:
                    counts.update(tokenize(chunk.text))
            tokens = {token for token, n in counts.items() if n >= ARTICLE_TOPIC_MENTIONS}
            self._article_words[article_id] = set(counts)
            self._article_tokens[article_id] = tokens
        return tokens


ARTICLE_TOPIC_MENTIONS = 3  # how often an article names a thing it is about


def source_ref_of(article: Article) -> SourceRef:
    return SourceRef(
        article_id=article.id,
        title=article.title,
        outlet=article.outlet,
        url=article.url,
        published=article.published,
    )


def make_serving(index: LoadedIndex, catalog_for: Callable[[Sequence[BenchmarkFact]], NameCatalog]) -> _Serving:
    """The serving bundle of `index`; `catalog_for` makes the names lookups know from its facts."""
    from bot.core.facts import FactTable
    from bot.core.search import build_term_stats, term_stats_from_doc_freq

    sources = {aid: source_ref_of(article) for aid, article in index.articles.items()}
    chunks = index.chunks
    doc_freq = getattr(index, "doc_freq", None)  # saved by the build: no need to tokenise every passage again
    return _Serving(
        index=index,
        term_stats=term_stats_from_doc_freq(doc_freq, len(chunks)) if doc_freq else build_term_stats(chunks),
        facts=FactTable(index.facts, sources, catalog=catalog_for(index.facts)),
        sources=sources,
        chunk_text={chunk.id: chunk.text for chunk in chunks},
    )
