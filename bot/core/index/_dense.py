"""Dense vectors of one segment: the FAISS file, and nearest-row search with tombstoned rows left out.

A flat index is not read back: it holds the same vectors as the .npy beside it, which an exact numpy scan
reads without importing FAISS (~0.1 s of a cold start). Passages use HNSW above FLAT_INDEX_LIMIT vectors;
answer units an inverted file (IVF) above UNIT_FLAT_LIMIT, since they are five times as many and an
article's copies repeat its sentences exactly, which HNSW's graph handles badly (recall 0.6-0.7 at 50k units
of benchmarks/perf.py's corpus, against 0.96+ for this IVF at a third of an exact scan's time).

The IVF keeps 8-bit codes of the vectors, not the vectors (a quarter of the bytes to read and to hold): the
lists read give a few times k candidates, which are scored exactly from the .npy, so the hits' scores are
exact and only which rows are found depends on the lists read. A build written before (an IVF of the float
vectors themselves) is searched as it is.
"""

from __future__ import annotations

import contextlib
import math
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.core.index._layout import fsync_file

if TYPE_CHECKING:
    import numpy as np

FLAT_INDEX_LIMIT = 50_000  # exact search up to here; HNSW above (a flat scan of 50k x 384 is ~5 ms)
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 64
UNIT_FLAT_LIMIT = 20_000  # answer units: exact up to here (20k x 384 floats: ~1.5 ms a scan here), IVF above
IVF_TRAIN_ITERATIONS = 10
IVF_TRAIN_POINTS_PER_LIST = 64  # k-means reads this many vectors per list (a sample, for big segments)
IVF_MAX_PROBES = 32  # lists an answer-unit query reads at most (`ivf_probes`)
# Candidates an 8-bit IVF's lists give for the exact scores to rank: this many times k, and k + IVF_RESCORE_MIN
# at least. At 500k units (80 queries) twice k gives the recall of an IVF of the float vectors, at 10 (0.985)
# and at the query path's ~120 (0.989), as four times does, in ~1.2-1.4 ms against ~1.9 ms; 1.5 times does too.
IVF_RESCORE_FACTOR = 2
IVF_RESCORE_MIN = 16
FAST_SCAN_MIN = 4_096  # rows of a flat scan from which FAISS's kernel computes it (`inner_products`)
_FLAT_IP_FOURCC = b"IxFI"  # what faiss.write_index puts first for an IndexFlatIP, before d (int32) and ntotal (int64)


def choose_faiss_type(n: int, limit: int | None = None) -> str:
    """The FAISS index for n vectors: exact IndexFlatIP ("flat") up to FLAT_INDEX_LIMIT, else IndexHNSWFlat."""
    return "flat" if n <= (FLAT_INDEX_LIMIT if limit is None else limit) else "hnsw"


def choose_unit_faiss_type(n: int, limit: int | None = None) -> str:
    """The FAISS index for n answer-unit vectors: exact ("flat") up to UNIT_FLAT_LIMIT, else an IVF of 8-bit
    codes (IndexIVFScalarQuantizer)."""
    return "flat" if n <= (UNIT_FLAT_LIMIT if limit is None else limit) else "ivf"


def ivf_lists(n: int) -> int:
    """Inverted lists for n vectors: 2 sqrt(n) (446 at 50k), so a list holds ~sqrt(n)/2 vectors."""
    return max(1, min(n, round(2 * math.sqrt(n))))


def ivf_probes(lists: int) -> int:
    """Lists read per query: 1.3 sqrt(lists), at least 16 and at most IVF_MAX_PROBES (27 of 447 at 50k units,
    32 of 1,411 at 500k).

    Measured by benchmarks/perf.py (unit recall@10 against an exact scan, 180 queries): at 50k units 27 lists
    give 0.979-0.987 in ~0.5 ms and 16 give 0.956; at 500k, 49 lists give 0.99-1.00 in ~1.7 ms, 32 give 0.984
    in ~1.1 ms, 28 give 0.984 and 16 give 0.963. Past a few hundred lists, the true neighbours of a query sit in
    about as many lists whatever their number, while each list read costs its share of every vector."""
    return min(lists, IVF_MAX_PROBES, max(16, round(1.3 * math.sqrt(lists))))


def make_dense_index(vectors: np.ndarray, faiss_type: str) -> Any:
    import faiss

    dim = vectors.shape[1]
    if faiss_type == "ivf":
        lists = ivf_lists(len(vectors))
        # Codes of the vectors themselves (not of their residuals to a centroid): a unit vector's components all
        # lie in [-1, 1], and the candidates are scored exactly after.
        index = faiss.IndexIVFScalarQuantizer(
            faiss.IndexFlatIP(dim), dim, lists, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT, False
        )
        index.cp.niter = IVF_TRAIN_ITERATIONS
        index.cp.max_points_per_centroid = IVF_TRAIN_POINTS_PER_LIST
        index.train(vectors)
        index.nprobe = ivf_probes(lists)
    elif faiss_type == "hnsw":
        index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    else:
        index = faiss.IndexFlatIP(dim)
    if len(vectors):
        index.add(vectors)
    return index


def write_dense_index(path: Path, vectors: np.ndarray, faiss_type: str) -> Any:
    """Write `vectors` as a FAISS index file; returns what searches use: the HNSW or IVF index, None for a flat one."""
    import faiss

    dense = make_dense_index(vectors, faiss_type)
    faiss.write_index(dense, str(path))
    fsync_file(path)
    return None if faiss_type == "flat" else dense


def read_dense_index(path: Path) -> tuple[Any, int, int]:
    """(the index to search or None for a flat one, its dimension, its vector count)."""
    with path.open("rb") as handle:
        header = handle.read(16)
    if len(header) == 16 and header[:4] == _FLAT_IP_FOURCC:
        dim, ntotal = struct.unpack("<iq", header[4:])
        return None, dim, ntotal
    import faiss

    dense = faiss.read_index(str(path))
    return dense, dense.d, dense.ntotal


def search_rows(
    dense: Any,
    vectors: np.ndarray,
    query: np.ndarray,
    k: int,
    dead: np.ndarray | None,
    n_dead: int,
    cache: dict[str, Any] | None = None,
    key: str = "",
) -> tuple[np.ndarray, np.ndarray]:
    """(rows, scores) of the k live rows nearest by inner product, best first, ties by row.

    The flat scan is not `vectors @ query`: a matrix-vector product is memory-bound, and OpenBLAS's threads,
    left spinning after it, slow the next query's onnxruntime call; `inner_products` stays on this thread.
    `dead` is a boolean mask of tombstoned rows (None when there are none). From PREFILTER_MIN rows, given a
    `cache` (the segment's: its vectors never change) to keep a float16 copy in under `key`, the scan reads
    that copy first and scores exactly only the rows it cannot rule out (`_prefiltered`): the same rows and
    scores as the full scan, from half the bytes."""
    import numpy as np

    live = len(vectors) - n_dead
    k = min(k, live)
    if k <= 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    if dense is not None:
        return _search_faiss(dense, vectors, query, k, dead, n_dead)
    if cache is not None and len(vectors) >= max(PREFILTER_MIN, FAST_SCAN_MIN):  # the kernel `inner_products` uses
        found = _prefiltered(vectors, query, k, dead, n_dead, cache, key)
        if found is not None:
            return found
    scores = inner_products(vectors, query)
    if dead is not None:
        scores[dead] = -np.inf
    top = best_rows(scores, k)
    return top, scores[top]


def inner_products(vectors: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Every row's inner product with the query, float32, on this thread.

    Below FAST_SCAN_MIN rows (every corpus the eval sets use) numpy's einsum, which needs no FAISS import; above,
    FAISS's SIMD kernel, a third of einsum's time (0.25 ms for 10k x 384 here, against 0.8), with no thread pool
    either. The two agree to float32 rounding (~1e-7)."""
    import numpy as np

    if len(vectors) < FAST_SCAN_MIN:
        return np.einsum("ij,j->i", vectors, query)
    import faiss

    matrix = np.ascontiguousarray(vectors, dtype=np.float32)
    row = np.ascontiguousarray(query, dtype=np.float32)
    out = np.empty(len(matrix), dtype=np.float32)
    faiss.fvec_inner_products_ny(
        faiss.swig_ptr(out), faiss.swig_ptr(row), faiss.swig_ptr(matrix), matrix.shape[1], len(matrix)
    )
    return out


PREFILTER_MIN = 8_192  # rows of a flat scan from which a float16 copy is read first (10k x 384: ~0.35 ms vs ~0.6)
PREFILTER_DEPTH = 2  # rows read from the copy per row wanted, plus PREFILTER_EXTRA and the tombstoned ones
PREFILTER_EXTRA = 64
# A float16 element is within 2^-11 of its float32 value (relative), and each float32 sum of d products within
# d * 2^-24 of the exact sum: the copy's score of a row differs from the exact one by at most
# |q| |x| (2^-11 + 2 d 2^-24) (+ 2^-25 per element below float16's normal range), taken twice over here.
PREFILTER_SAFETY = 2.0


def _prefiltered(
    vectors: np.ndarray,
    query: np.ndarray,
    k: int,
    dead: np.ndarray | None,
    n_dead: int,
    cache: dict[str, Any],
    key: str,
) -> tuple[np.ndarray, np.ndarray] | None:
    """`search_rows`' exact result from a float16 copy of `vectors` (made once, kept in `cache`): the copy's best
    rows, then every row whose copy score is within twice the rounding bound of the k-th live one scored
    exactly, by the full scan's own kernel (bit for bit its scores). None when the copy cannot settle it: then
    the caller scans every row."""
    import faiss
    import numpy as np

    kept = cache.get(key)
    if kept is None:
        matrix = np.ascontiguousarray(vectors, dtype=np.float32)
        usable = bool(np.isfinite(matrix).all()) and float(np.abs(matrix).max(initial=0.0)) < 60_000.0
        copy = None
        if usable:
            copy = faiss.IndexScalarQuantizer(
                matrix.shape[1], faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT
            )
            copy.add(matrix)
        kept = cache[key] = (copy, float(np.linalg.norm(matrix, axis=1).max(initial=0.0)))
    copy, max_norm = kept
    if copy is None or not np.isfinite(query).all():
        return None
    n, dim = vectors.shape
    want = min(n, PREFILTER_DEPTH * k + PREFILTER_EXTRA + n_dead)
    with on_this_thread():
        approx, rows = copy.search(np.ascontiguousarray(query, dtype=np.float32).reshape(1, -1), want)
    approx, rows = approx[0], rows[0]
    valid = rows >= 0
    approx, rows = approx[valid], rows[valid].astype(np.int64)
    live = ~dead[rows] if dead is not None else np.ones(len(rows), dtype=bool)
    live_approx = approx[live]
    if len(live_approx) < k:
        return None
    bound = float(np.linalg.norm(query)) * (max_norm * (2.0**-11 + 2 * dim * 2.0**-24) + math.sqrt(dim) * 2.0**-25)
    threshold = float(live_approx[k - 1]) - 2 * PREFILTER_SAFETY * bound
    if len(rows) < n and float(approx[-1]) >= threshold:
        return None  # rows the copy did not return may still be within reach
    candidates = np.sort(rows[live & (approx >= threshold)])
    matrix = np.ascontiguousarray(vectors[candidates], dtype=np.float32)
    row = np.ascontiguousarray(query, dtype=np.float32)
    scores = np.empty(len(candidates), dtype=np.float32)
    faiss.fvec_inner_products_ny(
        faiss.swig_ptr(scores), faiss.swig_ptr(row), faiss.swig_ptr(matrix), dim, len(candidates)
    )
    top = best_rows(scores, k)  # candidates ascend, so ties still go to the lower row
    return candidates[top], scores[top]


@contextlib.contextmanager
def on_this_thread() -> Iterator[None]:
    """FAISS's calls inside run on the calling thread alone. One query's scan split over OpenMP's threads waits
    for a core the model's threads just held (the float16 scan of 10k rows: ~7 ms split, ~0.4 ms alone); the
    thread count is the calling thread's own setting (OpenMP keeps one per thread), put back after."""
    import faiss

    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)


def best_rows(scores: np.ndarray, k: int) -> np.ndarray:
    """The rows of the k highest scores, best first; every row tied with the k-th is weighed, so ties go to the
    lower row. (np.partition for the k-th value: argpartition is twice as slow, more so on many equal scores.)"""
    import numpy as np

    if k < len(scores):
        kth = -np.partition(-scores, k - 1)[k - 1]
        top = np.flatnonzero(scores >= kth)
    else:
        top = np.arange(len(scores))
    return top[np.lexsort((top, -scores[top]))][:k]


def best_positive_rows(scores: np.ndarray, k: int) -> np.ndarray:
    """`best_rows` of the scores above 0 (BM25's: none is negative), read only among the rows at least half, a
    quarter, … of the best: a BM25 ranking is a few high scores over many low ones, and at 100k passages a
    partition of all of them costs ~10x this."""
    import numpy as np

    if not len(scores):
        return np.zeros(0, dtype=np.int64)
    threshold = float(scores.max()) / 2 if len(scores) > THRESHOLD_ROWS_MIN else 0.0
    while threshold > MIN_BM25_THRESHOLD:
        candidates = np.flatnonzero(scores >= threshold)
        if len(candidates) >= k:
            break
        threshold /= 2
    else:
        candidates = np.flatnonzero(scores > 0)
    return candidates[best_rows(scores[candidates], k)]


MIN_BM25_THRESHOLD = 1e-3  # below this, every positive score is read
THRESHOLD_ROWS_MIN = 2_048  # fewer scores than this are read at once


def _search_faiss(
    dense: Any, vectors: np.ndarray, query: np.ndarray, k: int, dead: np.ndarray | None, n_dead: int
) -> tuple[Any, Any]:
    import faiss
    import numpy as np

    want = min(k + n_dead, dense.ntotal)
    matrix = np.ascontiguousarray(query.reshape(1, -1))
    if isinstance(dense, faiss.IndexHNSWFlat):
        params = faiss.SearchParametersHNSW(efSearch=max(HNSW_EF_SEARCH, 2 * want))
        scores, rows = dense.search(matrix, want, params=params)
    elif isinstance(dense, faiss.IndexIVFScalarQuantizer):
        params = faiss.SearchParametersIVF(nprobe=ivf_probes(dense.nlist))
        many = min(dense.ntotal, max(IVF_RESCORE_FACTOR * want, want + IVF_RESCORE_MIN))
        _, found = dense.search(matrix, many, params=params)
        found = found[0][found[0] >= 0].astype(np.int64)
        exact = np.asarray(vectors[found], dtype=np.float32) @ np.asarray(query, dtype=np.float32)
        order = np.lexsort((found, -exact))[:want]  # best first, ties by row
        rows, scores = found[order][None, :], exact[order][None, :]
    elif isinstance(dense, faiss.IndexIVF):
        params = faiss.SearchParametersIVF(nprobe=ivf_probes(dense.nlist))
        scores, rows = dense.search(matrix, want, params=params)
    else:
        scores, rows = dense.search(matrix, want)
    rows, scores = rows[0], scores[0]
    keep = rows >= 0
    if dead is not None:
        keep &= ~dead[np.clip(rows, 0, None)]
    return rows[keep][:k].astype(np.int64), scores[keep][:k]
