"""The lexicon of a segmented index: per-article counts, summed into a corpus-wide state kept incrementally.

What `bot.core.lexicon` learns from the whole corpus (a surface word per token, names, acronyms) is
decided by counts that add up across articles. Each segment stores the counts of its articles
(lexicon_parts.json) and the vectors of the words it embedded; a build keeps the summed state
(lexicon.json), so an add adds one article's counts, and a removal subtracts them.
A token's word is its most frequent lower-case spelling (ties: the alphabetically first, so the result
does not depend on the order articles arrived in); an acronym's meaning is that of the first article by id.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.core.lexicon import Lexicon, acronym_candidates, count_words, decide_names, learn_acronyms
from bot.core.text import normalize_text

if TYPE_CHECKING:
    import numpy as np

    from bot.core.models import Article, Chunk

log = logging.getLogger(__name__)

STATE_VERSION = 10  # 3: counts of names written next to a version number; 4: acronyms used, not only defined;
# 5: counts of words capitalised where a sentence starts; 6: acronyms learnt across articles; 7: outlet and author;
# 8: a hyphenated word spells one initial per part ("mixture-of-experts (MoE)"); 9: one word's abbreviation
# ("gigawatts (GW)"); 10: a number after a colon is no version ("RPM: 60")
LEXICON_STATE_FILE = "lexicon.json"  # in a build: the summed state
PARTS_FILE = "lexicon_parts.json"  # in a segment: per-article counts
WORDS_FILE = "lexicon_words.json"  # in a segment: the words whose vectors it holds, in row order
WORD_VECTORS_FILE = "lexicon_vectors.npy"

Part = dict[str, Any]  # {"surfaces": {token: {word: n}}, "capital": {token: n}, "lower": {token: n}, "acronyms": {}}


def learn_part(article: Article, chunks: Sequence[Chunk]) -> Part:
    """The counts one article adds to the lexicon (its title, outlet and author, and the heading and text of its
    chunks): a question may name the outlet ("the PocketLab test")."""
    from bot.core.corpus import UNKNOWN_OUTLET

    # Written after "by", so their capitals count as a name's, not as where a sentence starts.
    byline = tuple(f"by {name}" for name in (article.outlet, article.author) if name and name != UNKNOWN_OUTLET)
    texts = [
        normalize_text(t) for t in (article.title, *byline, *(x for c in chunks for x in (c.heading, c.text))) if t
    ]
    surfaces, capital, lower, versioned, start = count_words(texts)
    phrases, capitals = acronym_candidates(texts)
    return {
        "surfaces": {token: dict(words) for token, words in surfaces.items()},
        "capital": dict(capital),
        "lower": dict(lower),
        "versioned": dict(versioned),
        "start": dict(start),
        "acronyms": {key: list(tokens) for key, tokens in learn_acronyms(texts).items()},
        "phrases": {key: list(tokens) for key, tokens in phrases.items()},
        "capitals": sorted(capitals),
    }


@dataclass(slots=True)
class LexiconState:
    """Counts summed over the live articles; copy() before changing one that a served index uses."""

    surfaces: dict[str, dict[str, int]] = field(default_factory=dict)
    capital: dict[str, int] = field(default_factory=dict)
    lower: dict[str, int] = field(default_factory=dict)
    acronyms: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # key -> {article id: tokens}
    versioned: dict[str, int] = field(default_factory=dict)
    start: dict[str, int] = field(default_factory=dict)
    phrases: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # initials -> {article id: tokens}
    capitals: dict[str, int] = field(default_factory=dict)  # all-capitals word -> articles writing it
    _owned: set[str] = field(default_factory=set, repr=False)  # tokens whose inner dict this copy owns

    def copy(self) -> LexiconState:
        return LexiconState(
            dict(self.surfaces), dict(self.capital), dict(self.lower), dict(self.acronyms), dict(self.versioned),
            dict(self.start), dict(self.phrases), dict(self.capitals),
        )  # fmt: skip

    def apply(self, article_id: str, part: Part, sign: int) -> None:
        """Add (sign 1) or take away (sign -1) one article's counts."""
        for token, words in part["surfaces"].items():
            if token not in self._owned:
                self.surfaces[token] = dict(self.surfaces.get(token, {}))
                self._owned.add(token)
            counts = self.surfaces[token]
            for word, n in words.items():
                left = counts.get(word, 0) + sign * n
                if left > 0:
                    counts[word] = left
                else:
                    counts.pop(word, None)
            if not counts:
                del self.surfaces[token]
                self._owned.discard(token)
        for table, source in (
            (self.capital, part["capital"]), (self.lower, part["lower"]), (self.versioned, part.get("versioned", {})),
            (self.start, part.get("start", {})),
        ):  # fmt: skip
            for token, n in source.items():
                left = table.get(token, 0) + sign * n
                if left > 0:
                    table[token] = left
                else:
                    table.pop(token, None)
        meaning_tables: tuple[tuple[dict[str, dict[str, list[str]]], Mapping[str, Any]], ...] = (
            (self.acronyms, part["acronyms"]), (self.phrases, part.get("phrases", {})),
        )  # fmt: skip
        for meaning_table, source in meaning_tables:
            for key, tokens in source.items():
                meanings = dict(meaning_table.get(key, {}))
                if sign > 0:
                    meanings[article_id] = list(tokens)
                else:
                    meanings.pop(article_id, None)
                if meanings:
                    meaning_table[key] = meanings
                else:
                    meaning_table.pop(key, None)
        for key in part.get("capitals", ()):
            left = self.capitals.get(key, 0) + sign
            if left > 0:
                self.capitals[key] = left
            else:
                self.capitals.pop(key, None)

    def to_json(self) -> dict[str, Any]:
        return {"version": STATE_VERSION, "surfaces": self.surfaces, "capital": self.capital, "lower": self.lower,
                "acronyms": self.acronyms, "versioned": self.versioned, "start": self.start,
                "phrases": self.phrases, "capitals": self.capitals}  # fmt: skip

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> LexiconState:
        if body.get("version") != STATE_VERSION:
            raise ValueError(f"lexicon state version {body.get('version')}")
        return cls(
            dict(body["surfaces"]), dict(body["capital"]), dict(body["lower"]), dict(body["acronyms"]),
            dict(body.get("versioned", {})), dict(body.get("start", {})), dict(body.get("phrases", {})),
            dict(body.get("capitals", {})),
        )  # fmt: skip

    def words(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(tokens in order, the word chosen for each)."""
        tokens = tuple(sorted(self.surfaces))
        return tokens, tuple(min(self.surfaces[t].items(), key=lambda item: (-item[1], item[0]))[0] for t in tokens)


def state_of(parts: Iterable[tuple[str, Part]]) -> LexiconState:
    state = LexiconState()
    for article_id, part in parts:
        state.apply(article_id, part, 1)
    return state


def lexicon_of(
    state: LexiconState, vector_of: Callable[[str], np.ndarray | None], dim: int | None
) -> tuple[Lexicon, list[str]]:
    """The served Lexicon, and the chosen words that have no vector yet (the caller embeds them first)."""
    import numpy as np

    tokens, words = state.words()
    proper, model_names, capitalised = decide_names(state.capital, state.lower, state.versioned, state.start)
    proper = frozenset(t for t in proper if t in state.surfaces)
    names: dict[str, Any] = {"proper": proper, "versioned": model_names & proper, "capitalised": capitalised}
    acronyms = {key: tuple(meanings[min(meanings)]) for key, meanings in sorted(state.acronyms.items())}
    initials: dict[str, tuple[str, ...]] = {}
    for key, meanings in sorted(state.phrases.items()):
        # The words in one article, the capitals in another: an acronym learnt across articles.
        if key not in acronyms and state.capitals.get(key):
            acronyms[key] = tuple(meanings[min(meanings)])
        elif key not in acronyms and len({tuple(m) for m in meanings.values()}) == 1:
            initials[key] = tuple(meanings[min(meanings)])  # one name has these initials: a question may use them
    names["initials"] = initials
    # "60 RPM": an acronym of ordinary words ("requests per minute") is a unit beside its number, not a version.
    names["versioned"] = frozenset(
        t for t in names["versioned"] if t not in acronyms or any(part in proper for part in acronyms[t])
    )
    if dim is None:
        return Lexicon(words=words, tokens=tokens, acronyms=acronyms, **names), []
    found: list[Any] = [vector_of(word) for word in words]
    missing = sorted({word for word, vector in zip(words, found, strict=True) if vector is None})
    if missing:
        return Lexicon(words=words, tokens=tokens, acronyms=acronyms, **names), missing
    vectors = np.stack(found).astype(np.float32, copy=False) if found else np.zeros((0, dim), dtype=np.float32)
    vectors.setflags(write=False)
    return Lexicon(words=words, tokens=tokens, acronyms=acronyms, vectors=vectors, **names), []
