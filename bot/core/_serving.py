"""One index build made ready to answer: its term statistics, facts table, sources and passage texts."""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.core.models import Article, SourceRef
from bot.core.text import DATE_IN_TEXT_RE

if TYPE_CHECKING:  # types only: the modules themselves are imported where they are used, for a fast cold start
    import numpy as np

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
    bylines: dict[str, tuple[str, ...]] = field(default_factory=dict)  # a name only bylines use -> its articles
    _article_tokens: dict[str, set[str]] = field(default_factory=dict)
    _article_words: dict[str, set[str]] = field(default_factory=dict)
    _article_subjects: dict[str, frozenset[str]] = field(default_factory=dict)
    _article_voices: dict[str, frozenset[str]] = field(default_factory=dict)

    # The model's vectors of question words the corpus never uses, and whether a word is one word piece:
    # functions of the word and the model alone (a word's vector is bit for bit the same in any batch), so
    # kept once computed instead of embedding "people" or "weather" again with every question that says it.
    _word_vectors: dict[str, np.ndarray] = field(default_factory=dict)
    _common_words: dict[str, bool] = field(default_factory=dict)

    def is_common_word(self, word: str, count_tokens: Callable[[str], int]) -> bool:
        """Whether a word is ordinary English to the model: one word piece (the count of three includes the two
        special tokens; kept per word)."""
        common = self._common_words.get(word)
        if common is None:
            common = count_tokens(word) <= 3
            _remember(self._common_words, word, common)
        return common

    def embed_question(
        self, query: str, words: Sequence[str], embed: Callable[[list[str]], np.ndarray]
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """The query's vector and each word's, in one `embed` call for the query and the words not seen before."""
        vectors = {w: v for w in words if (v := self._word_vectors.get(w)) is not None}
        new = [w for w in dict.fromkeys(words) if w not in vectors]
        embedded = embed([query, *new])
        for word, vector in zip(new, embedded[1:], strict=True):
            vectors[word] = vector
            _remember(self._word_vectors, word, vector)
        return embedded[0], {w: vectors[w] for w in words}

    def article_words(self, article_id: str) -> set[str]:
        """Every search token of one whole article, made on first use (for a head noun that refers back)."""
        self.article_tokens(article_id)
        return self._article_words[article_id]

    def article_subject(self, article_id: str) -> frozenset[str]:
        """The tokens of the name one article opens with, as the subject of its first sentence ("Harrowgate & Pell,
        a 300-lawyer firm based in Chicago, spent …"): what the article is about, though it says "the firm" after."""
        self.article_tokens(article_id)
        return self._article_subjects[article_id]

    def article_voice(self, article_id: str) -> frozenset[str]:
        """The tokens of the byline an article opens with when it says where its author works ("Rosalind
        Achterkamp, Managing Partner, Tidewater Basin Ventures · April 30, 2026"): who says every sentence of it,
        as its outlet and author are."""
        self.article_tokens(article_id)
        return self._article_voices[article_id]

    def article_tokens(self, article_id: str) -> set[str]:
        """The search tokens one whole article keeps coming back to (three times or more), made on first use:
        an article about "the API" carries that name into its sentences; one that says "Dow" once does not."""
        tokens = self._article_tokens.get(article_id)
        if tokens is None:
            from collections import Counter

            from bot.core.text import split_sentences, tokenize

            counts: Counter[str] = Counter()
            chunks = self.index.chunks
            rows = self.index.article_rows(article_id)  # the article's own rows, not a scan of the index
            for row in rows:
                counts.update(tokenize(chunks[row].text))
            tokens = {token for token, n in counts.items() if n >= ARTICLE_TOPIC_MENTIONS}
            subject: frozenset[str] = frozenset()
            voice: frozenset[str] = frozenset()
            if rows:
                lead = next((s for s in split_sentences(chunks[rows[0]].text) if not s.lstrip().startswith("#")), "")
                opening = _OPENING_NAME_RE.match(lead)
                subject = frozenset(tokenize(opening.group(1))) if opening else frozenset()
                source = self.sources.get(article_id)
                if source is not None and source.author and source.author in lead.split(",")[0]:
                    # The article opens with who wrote it and where they work ("Rosalind Achterkamp, Managing
                    # Partner, Tidewater Basin Ventures · April 30, 2026"): the firm speaks in every sentence.
                    voice = frozenset(tokenize(DATE_IN_TEXT_RE.sub(" ", lead)))
                    subject = frozenset()
            self._article_subjects[article_id] = subject
            self._article_voices[article_id] = voice
            self._article_words[article_id] = set(counts)
            self._article_tokens[article_id] = tokens
        return tokens


ARTICLE_TOPIC_MENTIONS = 3  # how often an article names a thing it is about
# A name that opens a sentence as its subject, set off by a comma: "Harrowgate & Pell, a 300-lawyer firm …".
_OPENING_NAME_RE = re.compile(r"((?:[A-Z][\w'’.-]*)(?:\s+(?:&|and|of|de|[A-Z][\w'’.-]*)){0,4}),\s")


WORD_MEMO_LIMIT = 20_000  # words kept by each memo (~30 MB of vectors at most); emptied when full


def _remember(memo: dict[str, Any], key: str, value: Any) -> None:
    if len(memo) >= WORD_MEMO_LIMIT:
        memo.clear()  # one atomic step: asks on other threads only ever miss
    memo[key] = value


def source_ref_of(article: Article) -> SourceRef:
    return SourceRef(
        article_id=article.id,
        title=article.title,
        outlet=article.outlet,
        url=article.url,
        published=article.published,
        author=article.author,
    )


def byline_names(
    doc_freq: Mapping[str, int], sources: Mapping[str, SourceRef], per_article: Mapping[str, int]
) -> dict[str, tuple[str, ...]]:
    """The search tokens of outlets and authors that the articles' own text hardly uses ("pocketlab", not
    "research"), each with the articles whose byline holds it: a question naming one is about those.
    ``per_article`` is each article's number of passages."""
    from bot.core.text import STOPWORDS

    found: dict[str, list[str]] = {}
    for article_id, source in sorted(sources.items()):
        for token in byline_tokens(source):
            if token not in STOPWORDS and len(token) > 2 and doc_freq.get(token, 0) <= per_article.get(article_id, 0):
                found.setdefault(token, []).append(article_id)
    return {token: tuple(ids) for token, ids in found.items() if len(ids) <= BYLINE_ARTICLES}


def byline_tokens(source: SourceRef) -> tuple[str, ...]:
    """The distinct search tokens of an article's outlet and author, in order."""
    return _byline_tokens(source.outlet, source.author)


# Every build's serving reads every article's byline: kept per (outlet, author), which most articles share,
# so an add to 10,000 articles tokenises one byline, not 10,000 (0.9 s there).
@functools.lru_cache(maxsize=WORD_MEMO_LIMIT)
def _byline_tokens(outlet: str, author: str) -> tuple[str, ...]:
    from bot.core.text import tokenize

    return tuple(dict.fromkeys(tokenize(SourceRef(article_id="", title="", outlet=outlet, author=author).byline)))


BYLINE_ARTICLES = 3  # a byline word more articles share ("reviews") names no one article


def with_bylines(
    doc_freq: Mapping[str, int], sources: Mapping[str, SourceRef], per_article: Mapping[str, int]
) -> Counter[str]:
    """``doc_freq`` with each article's outlet and author counted as words of every one of its passages: they
    frame all of them ("the PocketLab test"), so a word only a byline holds weighs as a word of that article."""
    total = sum(per_article.values())
    counts = Counter(doc_freq)
    for article_id, source in sources.items():
        for token in byline_tokens(source):
            counts[token] = min(total, counts[token] + per_article.get(article_id, 0))
    return counts


def names_of(facts: Sequence[BenchmarkFact]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The models and benchmarks the facts name, each once, in order of first appearance (as a catalog reads them)."""
    return (
        tuple(n for n in dict.fromkeys(f.model for f in facts) if n),
        tuple(n for n in dict.fromkeys(f.benchmark for f in facts) if n),
    )


def keep_out_of_collections() -> None:
    """Collect what is garbage now, then leave every object alive out of the collector's later passes.

    A build in memory is millions of objects (at 10,000 articles: 60k chunks, 90k facts, their dicts) that
    live until the next build replaces it, and every full pass of the cycle collector walked all of them: one
    or two passes of ~0.5 s each in every add to 10,000 articles, more than its embedding. Frozen, they are
    still freed by reference counting when the next build replaces them (a build holds no reference cycles:
    tests/core/test_serving_memory.py); a pass then only walks what came after, as the next add's own objects.
    """
    import gc

    gc.collect()
    gc.freeze()


def make_serving(
    index: LoadedIndex,
    catalog_for: Callable[[tuple[str, ...], tuple[str, ...]], NameCatalog],
    previous: _Serving | None = None,
) -> _Serving:
    """The serving bundle of `index`; `catalog_for(models, benchmarks)` makes the names lookups know from its facts'
    names. With the `previous` build's bundle, its facts table is moved on by the articles whose facts changed."""
    from bot.core.facts import FactTable
    from bot.core.search import passage_doc_freq, term_stats_from_doc_freq

    sources = {aid: source_ref_of(article) for aid, article in index.articles.items()}
    chunks = index.chunks
    doc_freq = getattr(index, "doc_freq", None)  # saved by the build: no need to tokenise every passage again
    if not doc_freq:
        doc_freq = passage_doc_freq(chunks)
    per_article = {aid: len(index.article_rows(aid)) for aid in sources}  # an article's rows are consecutive
    return _Serving(
        index=index,
        term_stats=term_stats_from_doc_freq(with_bylines(doc_freq, sources, per_article), len(chunks)),
        bylines=byline_names(doc_freq, sources, per_article),
        facts=(
            FactTable.updated(previous.facts, index.facts, sources, catalog_for)
            if previous is not None
            else FactTable(index.facts, sources, catalog=catalog_for(*names_of(index.facts)))
        ),
        sources=sources,
        chunk_text={chunk.id: chunk.text for chunk in chunks},
    )
