"""The corpus's own vocabulary, learned at index time: words, proper nouns, acronyms and word vectors.

Answers ground every term of a question in the sentence they quote. A term is grounded by the word
itself, a typo's correction into this vocabulary, an acronym the articles define ("Mixture of Experts
(MoE)"), or a neighbour that the embedding model places close to it among the words the corpus uses.
Nothing here is typed in by hand: it is all read off the articles and the model.
"""

from __future__ import annotations

import logging
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.core.text import CALENDAR_WORDS, STOPWORDS, YEAR_RE, tokenize

if TYPE_CHECKING:
    import numpy as np


log = logging.getLogger(__name__)


_WORD_RE = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+", re.UNICODE)  # the pieces text.tokenize reads
# A proper noun is written with a capital where a sentence does not start: after a lower-case word or a comma.
_SENTENCE_START_RE = re.compile(r"(^|[.!?:;\n\"“(|#*-]\s*)$")
# "Mixture of Experts (MoE)": an acronym in parentheses after the words it stands for.
_ACRONYM_AFTER_RE = re.compile(r"((?:[\w’'-]+\s+){1,8}?[\w’'-]+)\s+\(([A-Za-z][A-Za-z0-9&-]{1,9})\)")
# An all-capitals word of two to five letters ("MSL", "HLE"), and a run of capitalised words ("Meta
# Superintelligence Labs", "Humanity's Last Exam" with the small words between them).
_ALL_CAPS_RE = re.compile(r"\b[A-Z]{3,5}\b")  # two letters ("MS") are too easily a coincidence
_TITLE_PHRASE_RE = re.compile(r"\b[A-Z][a-z][\w’'-]*(?:\s+(?:of|and|for|the|on|in|&)?\s*[A-Z][a-z][\w’'-]*){1,5}")
# "MoE (Mixture of Experts)": the other way round.
_ACRONYM_BEFORE_RE = re.compile(r"\b([A-Z][A-Za-z0-9&-]{1,9})\s+\(((?:[\w’'-]+\s+){1,8}?[\w’'-]+)\)")


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Search tokens of the corpus with a readable word for each, what is a name, acronyms, and vectors."""

    words: tuple[str, ...]  # a surface form per token, as the model should read it
    tokens: tuple[str, ...]  # the search token (text.tokenize) of each word
    proper: frozenset[str]  # tokens the articles write as names (capitalised mid-sentence)
    acronyms: Mapping[str, tuple[str, ...]]  # acronym token -> the tokens of what it stands for
    vectors: np.ndarray | None = field(default=None, repr=False)  # (len(words), dim), normalised
    versioned: frozenset[str] = frozenset()  # names written with a version number: models and products
    capitalised: frozenset[str] = frozenset()  # tokens written with a capital mid-sentence at least once
    initials: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # initials -> a capitalised name's
    # tokens ("msl" -> meta, superintelligence, labs), where no article writes the acronym itself
    _rows: dict[str, int] = field(default_factory=dict, repr=False, compare=False)
    _by_deletion: dict[str, set[str]] = field(default_factory=dict, repr=False, compare=False)
    _memo: dict[str, frozenset[str]] = field(default_factory=dict, repr=False, compare=False)
    _by_initial: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False, compare=False)
    _acronym_sets: dict[frozenset[str], str] = field(default_factory=dict, repr=False, compare=False)
    # Each token's corrections once worked out: a pure function of the token and this lexicon.
    _corrections_memo: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False, compare=False)
    _abbreviations: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    _by_root: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False, compare=False)
    # The cosines of the last vector asked about: a question term asks neighbours of one vector up to four times.
    _last_sims: list[tuple[bytes, np.ndarray]] = field(default_factory=list, repr=False, compare=False)
    # Each answer a neighbour search gave: a pure function of the vector and this lexicon, and questions keep
    # asking about the same words, while the scan it saves reads the whole matrix (milliseconds at 100k chunks).
    _neighbour_memo: dict[tuple[bytes, float, int], tuple[tuple[str, float], ...]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        if not self._rows:
            self._rows.update({token: row for row, token in enumerate(self.tokens)})

    def distinctive_names(self, idf: Callable[[str], float], threshold: float) -> frozenset[str]:
        """The names that tell passages apart (idf at least ``threshold``); computed once per lexicon. A month or a
        weekday is written with a capital but names no one."""
        key = f"names>={threshold}"
        if key not in self._memo:
            self._memo[key] = frozenset(t for t in self.proper if idf(t) >= threshold and t not in CALENDAR_WORDS)
        return self._memo[key]

    def has(self, token: str) -> bool:
        return token in self._rows

    def row_of(self, token: str) -> int | None:
        return self._rows.get(token)

    def acronym_of(self, tokens: frozenset[str]) -> str | None:
        """The acronym an article defines for these words, if any: {humanity, last, exam} -> "hle"."""
        table = self._acronym_sets
        if not table and self.acronyms:
            table.update({frozenset(phrase): acronym for acronym, phrase in sorted(self.acronyms.items())})
        return table.get(tokens)

    def abbreviation_of(self, token: str) -> str | None:
        """The acronym the corpus defines for one word ("gw" for "gigawatt"), if any."""
        if not self._abbreviations:
            self._abbreviations.update(
                {phrase[0]: acronym for acronym, phrase in self.acronyms.items() if len(phrase) == 1}
            )
        return self._abbreviations.get(token)

    def expansions(self) -> dict[tuple[str, ...], str]:
        """What each acronym stands for, keyed by those tokens: ("mixture", "expert") -> "moe"."""
        return {phrase: acronym for acronym, phrase in self.acronyms.items()}

    def corrections(self, token: str) -> tuple[str, ...]:
        """Tokens of the corpus one typing error away (two for long words; for four letters, only two letters
        swapped); none for numbers.

        A changed digit is a different thing (Gemini 3 is not Gemini 3.1), so digits never take part.
        """
        if any(ch.isdigit() for ch in token) or token in self._rows:
            return ()
        if len(token) < 5:
            # A short word has too many neighbours one letter away; two letters swapped ("acers" for "acres") it
            # has few, and never the first one ("form" is not "from").
            if len(token) < 4:
                return ()
            swaps = {_swapped(token, at) for at in range(1, len(token) - 1)}
            return tuple(sorted(s for s in swaps if s != token and s in self._rows))
        found = self._corrections_memo.get(token)
        if found is None:
            found = self._find_corrections(token)
            if len(self._corrections_memo) >= LEXICON_MEMO_LIMIT:
                self._corrections_memo.clear()  # one atomic step: asks on other threads only ever miss
            self._corrections_memo[token] = found
        return found

    def _find_corrections(self, token: str) -> tuple[str, ...]:
        if not self._by_deletion:
            for known in self.tokens:
                if len(known) >= 3 and not any(ch.isdigit() for ch in known):
                    for variant in _deletions(known):
                        self._by_deletion.setdefault(variant, set()).add(known)
        found: set[str] = set()
        for variant in _deletions(token):
            found |= self._by_deletion.get(variant, set())
        # Typing errors rarely touch the first letter; "gpus" is not "opus".
        found = {k for k in found if k[0] == token[0] and edit_distance(token, k, 1) <= 1}
        if not found and len(token) >= 6:
            if not self._by_initial:
                by_initial: dict[str, list[str]] = defaultdict(list)
                for known in self.tokens:
                    by_initial[known[:1]].append(known)
                self._by_initial.update({initial: tuple(known) for initial, known in by_initial.items()})
            found = {
                k for k in self._by_initial.get(token[0], ())
                if abs(len(k) - len(token)) <= 2 and edit_distance(token, k, 2) <= 2
            }  # fmt: skip
        return tuple(sorted(found))

    def derivations(self, token: str) -> tuple[str, ...]:
        """Corpus tokens of the same word family as one the corpus never uses: "energised" -> "energisation",
        "invested" -> "investment". Only the suffix tells them apart, so the model's vectors still have to
        confirm that they mean the same (an "organ" is not "organised")."""
        if token in self._rows or any(ch.isdigit() for ch in token):
            return ()
        if not self._by_root:
            by_root: dict[str, list[str]] = defaultdict(list)
            for known in self.tokens:
                if known.isalpha():
                    by_root[derivation_root(known)].append(known)
            self._by_root.update({root: tuple(found) for root, found in by_root.items()})
        root = derivation_root(token)
        if len(root) < _MIN_ROOT:
            return ()
        return self._by_root.get(root, ())

    def splits(self, token: str) -> tuple[str, ...]:
        """A run-together word read as two corpus words: 'terminalbench' -> ('terminal', 'bench'), or a prefix the
        corpus writes with a hyphen and its word: 'rerun' -> ('re', 'run') for "re-run"."""
        if len(token) < 5 or any(ch.isdigit() for ch in token):
            return ()
        if token[:2] in _HYPHENED_PREFIXES and token[:2] in self._rows and token[2:] in self._rows:
            return (token[:2], token[2:])
        if len(token) < 6:
            return ()
        for cut in range(3, len(token) - 2):
            left, right = token[:cut], token[cut:]
            if left in self._rows and right in self._rows:
                return (left, right)
        return ()

    def neighbours(self, vector: np.ndarray, threshold: float, limit: int = 8) -> tuple[tuple[str, float], ...]:
        """Corpus tokens whose word vector is at least ``threshold`` cosine from ``vector``, closest first."""
        if self.vectors is None or not len(self.tokens):
            return ()
        vector = vector.astype(self.vectors.dtype)
        key = vector.tobytes()
        memo_key = (key, threshold, limit)
        found = self._neighbour_memo.get(memo_key)
        if found is None:
            found = self._scan_neighbours(self.vectors, key, vector, threshold, limit)
            if len(self._neighbour_memo) >= LEXICON_MEMO_LIMIT:
                self._neighbour_memo.clear()  # one atomic step: asks on other threads only ever miss
            self._neighbour_memo[memo_key] = found
        return found

    def _scan_neighbours(
        self, vectors: np.ndarray, key: bytes, vector: np.ndarray, threshold: float, limit: int
    ) -> tuple[tuple[str, float], ...]:
        import numpy as np

        last = self._last_sims[-1] if self._last_sims else None
        if last is not None and last[0] == key:
            sims = last[1]
        else:
            sims = single_thread_matvec(vectors, vector)
            self._last_sims[:] = [(key, sims)]  # one step, so another thread sees the old pair or the new
        rows = np.flatnonzero(sims >= threshold)
        if not len(rows):
            return ()
        rows = rows[np.argsort(-sims[rows])][:limit]
        return tuple((self.tokens[r], float(sims[r])) for r in rows)

    def vector_of(self, token: str) -> np.ndarray | None:
        row = self._rows.get(token)
        if row is None or self.vectors is None:
            return None
        return self.vectors[row]


# Suffixes that make a noun, adjective or agent of a word ("energis|ation", "invest|ment", "approv|al"), longest
# first; the search tokens have already lost their inflections (-s, -ed, -ing, -e).
_DERIVATION_SUFFIXES = (
    "isation", "ization", "ations", "ation", "itions", "ition", "ments", "ment", "ness", "ance", "ence", "ancy",
    "ency", "ity", "ion", "ise", "ize", "al", "is", "iz", "er", "or",
)  # fmt: skip
_MIN_ROOT = 5  # "organ" is the root of "organise"; shorter roots join too many families


def derivation_root(token: str) -> str:
    """What is left of a search token without its derivational suffix (the token itself if none fits)."""
    for suffix in _DERIVATION_SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= _MIN_ROOT:
            root = token[: -len(suffix)]
            # "abstention" is of "abstain" ("retention", "retain"): the noun changes the verb's vowel too.
            return root[:-3] + "ain" if root.endswith("tent") else root
    return token


def single_thread_matvec(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """``matrix @ vector`` in blocks of rows small enough that OpenBLAS computes each on this thread.

    Above ~460k elements OpenBLAS spreads a matrix-vector product over its threads; right after an
    onnxruntime call (whose threads still spin) that takes milliseconds on a small machine instead of
    tens of microseconds (measured: 2,162 x 384 words, 6.5 ms vs 0.03 ms). Blocks of a multiple of 64
    rows give bit for bit what one single-threaded product gives, and what the whole product gives
    below the threading limit (every corpus the eval sets use).
    """
    import numpy as np

    block = max(64, (2**18 // max(matrix.shape[1], 1)) // 64 * 64)
    if len(matrix) <= block:
        return matrix @ vector
    return np.concatenate([matrix[start : start + block] @ vector for start in range(0, len(matrix), block)])


LEXICON_MEMO_LIMIT = 8_192  # neighbours and corrections kept per lexicon (a few per question word); emptied when full


EMPTY_LEXICON = Lexicon(words=(), tokens=(), proper=frozenset(), acronyms={})


def _swapped(token: str, at: int) -> str:
    """``token`` with its letters at ``at`` and ``at + 1`` swapped."""
    return token[:at] + token[at + 1] + token[at] + token[at + 2 :]


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))} | {word}


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance (adjacent swaps count once), stopping early above ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous_previous: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous_previous[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous_previous, previous = previous, current
    return previous[-1]


# ----------------------------------------------------------------------------------------- learning


# Two-letter prefixes a writer may set off with a hyphen ("re-run", "co-founder"); longer ones ("pre-", "non-")
# split as any run-together word does.
_HYPHENED_PREFIXES = frozenset({"re", "co"})


def learn_acronyms(texts: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Acronyms the texts define in parentheses, with the tokens of what they stand for.

    The letters must be the initials of the words before (or inside) the parentheses, with or without
    the small words: "reinforcement learning from human feedback (RLHF)" and "Mixture of Experts (MoE)".
    """
    texts = list(texts)
    found: dict[str, tuple[str, ...]] = {}
    for text in texts:
        for match in _ACRONYM_AFTER_RE.finditer(text):
            _learn_one(match.group(2), _words(match.group(1)), found, phrase_first=True)
        for match in _ACRONYM_BEFORE_RE.finditer(text):
            _learn_one(match.group(1), _words(match.group(2)), found, phrase_first=False)
    # An article that writes both "Meta Superintelligence Labs" and "MSL" means one by the other, defined or not.
    capitals = {word for text in texts for word in _ALL_CAPS_RE.findall(text)}
    for text in texts:
        for match in _TITLE_PHRASE_RE.finditer(text):
            words = [w for w in match.group(0).split() if w.lower() not in STOPWORDS]
            initials = "".join(w[0] for w in words).upper()
            if len(words) >= 2 and initials in capitals:
                _learn_one(initials, match.group(0).split(), found, phrase_first=True)
    return found


def acronym_candidates(texts: Iterable[str]) -> tuple[dict[str, tuple[str, ...]], set[str]]:
    """What one article adds to acronyms learnt across articles: (runs of capitalised words keyed by their
    initials' token, the all-capitals words it writes). "Humanity's Last Exam" in one article and "HLE" in
    another mean one thing, as they do within one article (`learn_acronyms`)."""
    texts = list(texts)
    phrases: dict[str, tuple[str, ...]] = {}
    capitals: set[str] = set()
    for text in texts:
        capitals.update(t for word in _ALL_CAPS_RE.findall(text) for t in tokenize(word)[:1])
        for match in _TITLE_PHRASE_RE.finditer(text):
            words = match.group(0).split()
            # Every run of two or more of its words that does not start small: "Scores on Humanity's Last
            # Exam" offers "Humanity's Last Exam" (HLE) too.
            for start in range(len(words) - 1):
                for end in range(start + 2, len(words) + 1):
                    run = words[start:end]
                    initials = "".join(w[0] for w in run if w.lower() not in STOPWORDS).upper()
                    if 3 <= len(initials) <= 5 and run[0].lower() not in STOPWORDS:
                        _learn_one(initials, run, phrases, phrase_first=True)
    return phrases, capitals


def _words(phrase: str) -> list[str]:
    """A phrase's words, a hyphenated one in its parts: "mixture-of-experts (MoE)" spells M, o, E."""
    return [part for word in phrase.split() for part in word.split("-") if part]


def _learn_one(acronym: str, words: list[str], found: dict[str, tuple[str, ...]], *, phrase_first: bool) -> None:
    letters = re.sub(r"[^a-z0-9]", "", acronym.lower())
    if len(letters) < 2 or sum(ch.isupper() for ch in acronym) < 2:
        return
    for start in range(len(words)) if phrase_first else [0]:
        for end in [len(words)] if phrase_first else range(len(words), 0, -1):
            phrase = words[start:end]
            for keep_small in (True, False):
                kept = [w for w in phrase if keep_small or w.lower() not in STOPWORDS]
                initials = "".join(w[0].lower() for w in kept if w)
                if initials == letters and kept and kept[0].lower() not in STOPWORDS:
                    tokens = tuple(t for w in kept for t in tokenize(w)[:1])
                    key = tokenize(acronym)  # "MoE" is "moe" (and, camel-split, "mo", "e")
                    if key and tokens:
                        found.setdefault(key[0], tokens)
                    return
    one = words[-1] if phrase_first and words else words[0] if words else ""
    if one.isalpha() and len(one) > len(letters) + 2 and _abbreviates(letters, one.lower()):
        # "gigawatts (GW)", "megawatts (MW)": the letters of one word, its first among them, when no run of
        # words has them as initials.
        key = tokenize(acronym)
        if key and tokenize(one):
            found.setdefault(key[0], tuple(tokenize(one)[:1]))


def _abbreviates(letters: str, word: str) -> bool:
    """Whether ``letters`` are letters of ``word`` in order, starting with its first, and not its plain
    initial run ("gw" in "gigawatts"; "gi" would be just its start)."""
    if not word.startswith(letters[0]) or word.startswith(letters):
        return False
    at = 0
    for ch in letters:
        at = word.find(ch, at) + 1
        if not at:
            return False
    return True


_CALENDAR = CALENDAR_WORDS | {"q1", "q2", "q3", "q4"}


def decide_names(
    capital: Mapping[str, int],
    lower: Mapping[str, int],
    versioned: Mapping[str, int],
    start: Mapping[str, int] | None = None,
) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(names, names written with a version, tokens capitalised mid-sentence at least once) from the counts.

    Mostly capitalised counts as a name too: "Instant" (a mode) is also an ordinary word now and then. So
    does a word never written in lower case that opens sentences, headings or table cells at least twice
    ("Prometheus is …", "| Prometheus |"): ordinary words are written small somewhere.
    """
    proper = frozenset(
        t for t, n in capital.items() if n >= 1 and (lower.get(t, 0) == 0 or n >= 2 * lower.get(t, 0) >= 2)
    ) | frozenset(
        t for t, n in (start or {}).items()
        if n + capital.get(t, 0) >= 2 and lower.get(t, 0) == 0 and t not in STOPWORDS and t.isalpha()
    )  # fmt: skip
    model_names = frozenset(t for t, n in versioned.items() if n > 0 and t in proper)
    return proper, model_names, frozenset(t for t, n in capital.items() if n > 0)


def count_words(
    texts: Iterable[str],
) -> tuple[dict[str, Counter[str]], Counter[str], Counter[str], Counter[str], Counter[str]]:
    """What `learn_words` decides from, as counts that add up across articles: (token -> how often each
    lower-case word gave it, how often each token was capitalised where a sentence does not start, how
    often it was written in lower case, how often it was written next to a version number, how often it
    was capitalised where a sentence does start)."""
    surfaces: dict[str, Counter[str]] = defaultdict(Counter)
    capital: Counter[str] = Counter()
    lower: Counter[str] = Counter()
    versioned: Counter[str] = Counter()
    start: Counter[str] = Counter()
    for text in texts:
        recent: list[tuple[int, str, bool]] = []  # (end offset, token, is a version number) of the last pieces
        for match in _WORD_RE.finditer(text):
            word = match.group(0)
            if len(word) < 2 and not word.isdigit():
                continue
            tokens = tokenize(word)
            if not tokens:
                continue
            token = tokens[0]
            is_version = word[0].isdigit() and len(word) <= 4 and not YEAR_RE.fullmatch(word)
            near = [r for r in recent if match.start() - r[0] <= 2]
            # "Llama 4 Maverick": the word just before a version number and the one just after it.
            if word[0].isupper() and token not in _CALENDAR and near and near[-1][2]:
                versioned[token] += 1
            if is_version and near and near[-1][1] and not near[-1][2] and near[-1][1] not in _CALENDAR:
                versioned[near[-1][1]] += 1
            recent = [*recent[-2:], (match.end(), token if word[0].isupper() else "", is_version)]
            surfaces[token][word.lower()] += 1
            for part in tokens[1:]:  # "HealthBench" is also "health" and "bench"
                surfaces[part][part] += 1
            if word[0].isupper():
                if not _SENTENCE_START_RE.search(text[max(0, match.start() - 3) : match.start()]):
                    capital[token] += 1
                elif word[1:].islower():  # "Prometheus", not "HEALTHBENCH" or "OpenAI"
                    start[token] += 1
            else:
                lower[token] += 1
    return dict(surfaces), capital, lower, versioned, start
