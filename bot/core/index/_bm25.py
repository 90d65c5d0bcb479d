"""BM25 as Lucene keeps it: raw postings per segment, corpus statistics at query time.

Each segment stores, per search token, the chunks holding it and how often (a CSC matrix: indptr, indices,
term frequencies) and each chunk's length. Nothing in a segment depends on the rest of the corpus, so an
add writes only its own postings. The number of live chunks, their average length and each token's
document frequency are summed over the segments, tombstoned chunks left out, so scores are those of one
bm25s index (method "lucene") over the live chunks (checked in tests/core/test_index_store.py).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.core.files import fsync_dir
from bot.core.index._layout import fsync_file, write_json

if TYPE_CHECKING:
    import numpy as np

BM25_PARAMS: dict[str, Any] = {"method": "lucene", "k1": 1.5, "b": 0.75}
POSTINGS_DIR = "bm25"


class Postings:
    """One segment's postings: vocabulary (token -> column), CSC indptr/indices/term frequencies, lengths."""

    __slots__ = ("doc_len", "indices", "indptr", "tf", "vocab")

    def __init__(
        self, vocab: Mapping[str, int], indptr: np.ndarray, indices: np.ndarray, tf: np.ndarray, doc_len: np.ndarray
    ) -> None:
        self.vocab = vocab
        self.indptr = indptr
        self.indices = indices
        self.tf = tf
        self.doc_len = doc_len

    @classmethod
    def of_token_lists(cls, token_lists: Sequence[Sequence[str]]) -> Postings:
        import numpy as np

        columns: dict[str, tuple[list[int], list[int]]] = {}
        for doc, tokens in enumerate(token_lists):
            for token, count in Counter(tokens).items():
                entry = columns.get(token)
                if entry is None:
                    columns[token] = entry = ([], [])
                entry[0].append(doc)
                entry[1].append(count)
        vocab = {token: column for column, token in enumerate(sorted(columns))}
        sizes = [len(columns[token][0]) for token in vocab]
        indptr = np.zeros(len(vocab) + 1, dtype=np.int64)
        np.cumsum(sizes, out=indptr[1:])
        indices = np.fromiter((d for t in vocab for d in columns[t][0]), dtype=np.int32, count=int(indptr[-1]))
        tf = np.fromiter((c for t in vocab for c in columns[t][1]), dtype=np.float32, count=int(indptr[-1]))
        doc_len = np.fromiter((len(t) for t in token_lists), dtype=np.int32, count=len(token_lists))
        return cls(vocab, indptr, indices, tf, doc_len)

    def save(self, folder: Path) -> None:
        import numpy as np

        folder.mkdir()
        write_json(folder / "vocab.json", self.vocab)
        for name in ("indptr", "indices", "tf", "doc_len"):
            path = folder / f"{name}.npy"
            with path.open("wb") as handle:
                np.save(handle, getattr(self, name), allow_pickle=False)
            fsync_file(path)
        fsync_dir(folder)

    @classmethod
    def load(cls, folder: Path) -> Postings:
        import numpy as np

        vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
        arrays = [
            np.load(folder / f"{name}.npy", allow_pickle=False) for name in ("indptr", "indices", "tf", "doc_len")
        ]
        postings = cls(vocab, *arrays)
        if len(postings.indptr) != len(vocab) + 1 or len(postings.indices) != len(postings.tf):
            raise ValueError("postings arrays disagree")
        return postings


class Bm25Scores:
    """BM25 of every live chunk (global rows) for a query, over the postings of all segments.

    `parts` pairs each segment's postings with the global row of each of its chunks (-1 for a tombstoned one).
    """

    __slots__ = ("_avgdl", "_cached_bytes", "_columns", "_idf", "_last", "_norms", "num_docs", "parts")

    def __init__(self, parts: Sequence[tuple[Postings, np.ndarray]], num_docs: int) -> None:
        import numpy as np

        self.parts = tuple(parts)
        self.num_docs = num_docs
        total = sum(int(p.doc_len[rows >= 0].sum(dtype=np.int64)) for p, rows in self.parts)
        self._avgdl = np.float64(total) / np.float64(max(num_docs, 1))
        self._norms: dict[int, np.ndarray] = {}  # per part: k1 * (1 - b + b * len / avgdl), float64
        self._idf: dict[str, float | None] = {}
        # Per token, each part's (live global rows, score terms) of a long postings list: "muse" and "spark" are
        # in nearly every passage, and their terms are the same for every query of this build.
        self._columns: dict[str, tuple[np.ndarray | None, np.ndarray]] = {}
        self._cached_bytes = 0
        # The last query's tokens and scores: an ask reads BM25 twice with one query (retrieval, then the passage
        # that covers more of the question), and at 100k passages scoring it is ~1 ms.
        self._last: tuple[tuple[str, ...], np.ndarray | None] = ((), None)

    def _norm(self, part: int) -> np.ndarray:
        norm = self._norms.get(part)
        if norm is None:
            k1, b = BM25_PARAMS["k1"], BM25_PARAMS["b"]
            lengths = self.parts[part][0].doc_len.astype("float64")
            norm = self._norms[part] = k1 * ((1 - b) + b * lengths / self._avgdl)
        return norm

    def idf(self, token: str) -> float | None:
        """Lucene's idf over the live chunks, as float32 (what bm25s stores); None when no live chunk has it."""
        if token in self._idf:
            return self._idf[token]
        import numpy as np

        df = 0
        for postings, rows in self.parts:
            column = postings.vocab.get(token)
            if column is not None:
                docs = postings.indices[postings.indptr[column] : postings.indptr[column + 1]]
                df += int(np.count_nonzero(rows[docs] >= 0))
        n = self.num_docs
        value = float(np.float32(math.log(1 + (n - df + 0.5) / (df + 0.5)))) if df else None
        self._idf[token] = value
        return value

    def scores_of(self, tokens: Sequence[str]) -> np.ndarray | None:
        """BM25 score of every live chunk for these tokens (repeats count, as in bm25s); None when none is known."""
        import numpy as np

        key = tuple(tokens)
        last_key, last_scores = self._last  # one read: another thread may replace it
        if key == last_key and key:
            return last_scores
        known = [(token, idf) for token in tokens if token and (idf := self.idf(token)) is not None]
        scores: np.ndarray | None = None
        if known:
            scores = np.zeros(self.num_docs, dtype=np.float32)
            for token, idf in known:
                targets, values = self._column(token, idf)
                if targets is None:
                    scores += values  # a dense column: zero where the token is not, and x + 0.0 is x
                else:
                    scores[targets] += values  # one entry per chunk within a column
            scores.setflags(write=False)  # shared with the next caller of the same query
        self._last = (key, scores)
        return scores

    def _column(self, token: str, idf: float) -> tuple[np.ndarray | None, np.ndarray]:
        """The live global rows holding ``token`` and their score terms (rows None: a dense column over every
        chunk), kept: a query's words come back in the next one, and "muse" and "spark" are in nearly every
        passage, with the same terms for every query of this build."""
        cached = self._columns.get(token)
        if cached is not None:
            return cached
        import numpy as np

        all_targets, all_values = [], []
        for part, (postings, rows) in enumerate(self.parts):
            column = postings.vocab.get(token)
            if column is None:
                continue
            start, end = postings.indptr[column], postings.indptr[column + 1]
            docs = postings.indices[start:end]
            tf = postings.tf[start:end].astype(np.float64)
            # bm25s computes idf * tf / (norm + tf) in float64 and stores it as float32: so do we.
            values = (np.float64(idf) * (tf / (self._norm(part)[docs] + tf))).astype(np.float32)
            targets = rows[docs]
            live = targets >= 0
            all_targets.append(targets[live])
            all_values.append(values[live])
        targets = np.concatenate(all_targets) if all_targets else np.zeros(0, dtype=np.int64)
        values = np.concatenate(all_values) if all_values else np.zeros(0, dtype=np.float32)
        found: tuple[np.ndarray | None, np.ndarray]
        if len(targets) * DENSE_COLUMN_SHARE >= self.num_docs:
            dense = np.zeros(self.num_docs, dtype=np.float32)
            dense[targets] = values  # a chunk is in one part only: one entry per row
            found, size = (None, dense), dense.nbytes
        else:
            found, size = (targets, values), targets.nbytes + values.nbytes
        if self._cached_bytes + size > CACHED_POSTINGS_BYTES:
            self._columns.clear()  # one atomic step: queries on other threads only ever miss
            self._cached_bytes = 0
        self._columns[token] = found
        self._cached_bytes += size
        return found


# Postings lists kept computed, up to this many bytes in all. A token in at least one chunk of
# DENSE_COLUMN_SHARE is kept as a column over every chunk: adding it is one vector add, not a scatter (a
# scatter of 100k entries costs ~10x a vector add of 100k).
CACHED_POSTINGS_BYTES = 32_000_000
DENSE_COLUMN_SHARE = 4


def doc_freq_of(token_lists: Sequence[Sequence[str]]) -> Counter[str]:
    """How many of these chunks hold each token."""
    return Counter(token for tokens in token_lists for token in set(tokens))
