"""The index: immutable segments, a manifest per build that lists them, and an atomic CURRENT pointer.

    index/CURRENT                      the build id in use, replaced atomically
    index/builds/<build-id>/           manifest.json (segments + tombstones, article hashes, checksums),
                                       facts.json, facts_state.json, lexicon.json, term_stats.json
    index/segments/<segment-id>/       chunks, answer units, vectors, FAISS, BM25 postings, parts (see _segment)

Modules, one per stage: `_layout` (folders, lock, CURRENT, pruning), `_checksums`, `_segment` (one segment
on disk), `_bm25` (postings and corpus statistics), `_dense` (FAISS and exact scans), `_lexicon` (the
lexicon's per-article counts), `_loaded` (LoadedIndex over segments), `_build` (writing builds), `_reuse` (the
vectors a build copies from the previous one instead of embedding), `_merge`
(merging segments), `_load` (reading them back, staleness). docs/ARCHITECTURE.md is the contract.
"""

from bot.core.index._bm25 import BM25_PARAMS, Bm25Scores, Postings
from bot.core.index._build import (
    FACTS_STATE_FILE,
    SCHEMA_VERSION,
    TERM_STATS_FILE,
    BuildStats,
    FactExtractor,
    ReusingFactExtractor,
    article_content_hash,
    build_index,
    source_version,
)
from bot.core.index._checksums import build_file_checksums, check_build_files
from bot.core.index._dense import FLAT_INDEX_LIMIT, UNIT_FLAT_LIMIT, choose_faiss_type, choose_unit_faiss_type
from bot.core.index._errors import (
    IndexBuildError,
    IndexDamagedError,
    IndexLockedError,
    IndexMissingError,
    IndexModelMismatchError,
    IndexStoreError,
)
from bot.core.index._layout import (
    BUILDS_DIR,
    CURRENT_FILE,
    KEEP_BUILDS,
    SEGMENTS_DIR,
    read_current_build_id,
    recover_partial_builds,
)
from bot.core.index._load import StaleReport, is_stale, load_facts_only, load_index, try_load_index
from bot.core.index._loaded import LoadedIndex
from bot.core.index._merge import MERGE_FACTOR
from bot.core.index._reuse import EMBED_BATCH_SIZE

__all__ = [
    "BM25_PARAMS",
    "BUILDS_DIR",
    "CURRENT_FILE",
    "EMBED_BATCH_SIZE",
    "FACTS_STATE_FILE",
    "FLAT_INDEX_LIMIT",
    "UNIT_FLAT_LIMIT",
    "KEEP_BUILDS",
    "MERGE_FACTOR",
    "SCHEMA_VERSION",
    "SEGMENTS_DIR",
    "TERM_STATS_FILE",
    "Bm25Scores",
    "BuildStats",
    "FactExtractor",
    "IndexBuildError",
    "IndexDamagedError",
    "IndexLockedError",
    "IndexMissingError",
    "IndexModelMismatchError",
    "IndexStoreError",
    "LoadedIndex",
    "Postings",
    "ReusingFactExtractor",
    "StaleReport",
    "article_content_hash",
    "build_file_checksums",
    "build_index",
    "check_build_files",
    "choose_faiss_type",
    "choose_unit_faiss_type",
    "is_stale",
    "load_facts_only",
    "load_index",
    "read_current_build_id",
    "recover_partial_builds",
    "source_version",
    "try_load_index",
]
