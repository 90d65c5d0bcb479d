"""Near-duplicates (syndicated copies): word 5-gram sets and their MinHash signatures, no model needed."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from bot.core.models import Article

NEAR_DUPLICATE_THRESHOLD = 0.8  # Jaccard similarity of word 5-gram sets
SHINGLE_WORDS = 5
_WORD_RE = re.compile(r"\w+")


# ---------------------------------------------------------------------------------------------
# Near-duplicates (syndicated copies): word 5-gram sets, no model needed


def shingle_set(text: str, size: int = SHINGLE_WORDS) -> frozenset[int]:
    words = _WORD_RE.findall(text.casefold())
    if len(words) <= size:
        return frozenset({hash(tuple(words))}) if words else frozenset()
    return frozenset(hash(tuple(words[i : i + size])) for i in range(len(words) - size + 1))


SIGNATURE_SIZE = 64  # MinHash values per article: the estimate's spread at a Jaccard of 0.8 is about 0.05
SIGNATURE_SLACK = 0.25  # candidates are those estimated within this of the threshold: a miss is > 4 spreads off


def shingle_signature(text: str) -> tuple[int, ...]:
    """A MinHash of the text's word 5-gram set: the share of equal values estimates the Jaccard similarity.

    Stable across processes (blake2b, not hash()), so an index can keep it beside each article.
    """
    import hashlib

    import numpy as np

    words = _WORD_RE.findall(text.casefold())
    grams = [words[i : i + SHINGLE_WORDS] for i in range(max(1, len(words) - SHINGLE_WORDS + 1))] if words else []
    if not grams:
        return (0,) * SIGNATURE_SIZE
    keys = np.frombuffer(
        b"".join(hashlib.blake2b(" ".join(g).encode("utf-8"), digest_size=8).digest() for g in grams), dtype=np.uint64
    )
    masks, multipliers = _signature_constants()
    with np.errstate(over="ignore"):
        mixed = (keys[None, :] ^ masks[:, None]) * multipliers[:, None]  # wraps modulo 2**64, as meant
    return tuple(int(v) for v in mixed.min(axis=1))


def _signature_constants() -> tuple[Any, Any]:
    import numpy as np

    rng = np.random.default_rng(20260408)
    masks = rng.integers(0, 2**63, SIGNATURE_SIZE, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    multipliers = rng.integers(0, 2**63, SIGNATURE_SIZE, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    return masks, multipliers


def jaccard(a: frozenset[int], b: frozenset[int]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def find_near_duplicate(
    article: Article, others: Sequence[Article], threshold: float = NEAR_DUPLICATE_THRESHOLD
) -> tuple[str, float] | None:
    """(id, similarity) of the most similar of `others` when it reaches `threshold`, else None."""
    mine = shingle_set(article.body)
    best: tuple[str, float] | None = None
    for other in others:
        theirs = shingle_set(other.body)
        if min(len(mine), len(theirs)) < threshold * max(len(mine), len(theirs)):
            continue  # Jaccard <= min/max of the set sizes: cannot reach the threshold
        score = jaccard(mine, theirs)
        if score >= threshold and (best is None or score > best[1]):
            best = (other.id, score)
    return best
