"""Reading a build: the manifest, its segments (every file checked), the corpus-wide parts; staleness.

`read_current_build_id` and `load_facts_only` use the standard library only, so a cold benchmark lookup
never imports numpy, FAISS or the model. Loading a flat segment imports no FAISS, and BM25 needs numpy alone.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.core.index import _layout
from bot.core.index._build import SCHEMA_VERSION, TERM_STATS_FILE, article_content_hash
from bot.core.index._checksums import SEGMENT_FILE, check_build_files, check_files, sha256_of
from bot.core.index._errors import (
    REBUILD_HINT,
    IndexDamagedError,
    IndexMissingError,
    IndexModelMismatchError,
    IndexStoreError,
    damaged,
)
from bot.core.index._lexicon import LEXICON_STATE_FILE, LexiconState, lexicon_of
from bot.core.index._loaded import LoadedIndex, compose_index
from bot.core.models import Article, BenchmarkFact, SourceRef

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class StaleReport:
    """How the corpus differs from what a build indexed (article ids, sorted)."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    @property
    def is_stale(self) -> bool:
        return bool(self.added or self.changed or self.removed)


def _current_build_dir(index_dir: Path) -> tuple[str, Path]:
    build_id = _layout.read_current_build_id(index_dir)
    if build_id is None:
        raise IndexMissingError(f"No index in {index_dir}; {REBUILD_HINT}")
    if not _layout.ID_RE.match(build_id):
        raise damaged(index_dir, build_id[:40], f"{_layout.CURRENT_FILE} does not hold a build id")
    path = _layout.builds_dir(index_dir) / build_id
    if not path.is_dir():
        raise damaged(index_dir, build_id, f"{_layout.BUILDS_DIR}/{build_id} is missing")
    return build_id, path


def _read_json(index_dir: Path, build_id: str, path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise damaged(index_dir, build_id, f"cannot read {path.name} ({exc.__class__.__name__})") from exc


def _read_manifest(index_dir: Path, build_id: str, path: Path) -> dict[str, Any]:
    manifest = _read_json(index_dir, build_id, path / "manifest.json")
    if not isinstance(manifest, dict):
        raise damaged(index_dir, build_id, "manifest.json is not an object")
    version = manifest.get("schema_version")
    if version != SCHEMA_VERSION:
        raise damaged(
            index_dir, build_id, f"it has schema version {version}, this musebot reads version {SCHEMA_VERSION}"
        )
    missing = {"model_id", "dim", "built_at", "articles", "counts", "faiss_type", "bm25", "segments"} - manifest.keys()
    if missing:
        raise damaged(index_dir, build_id, f"manifest.json lacks {', '.join(sorted(missing))}")
    return manifest


def _read_facts(index_dir: Path, build_id: str, path: Path) -> tuple[BenchmarkFact, ...]:
    raw = _read_json(index_dir, build_id, path / "facts.json")
    try:
        return tuple(BenchmarkFact(**item) for item in raw)
    except TypeError as exc:
        raise damaged(index_dir, build_id, f"facts.json has an unexpected entry ({exc})") from exc


def _segment_path(index_dir: Path, build_id: str, entry: Any) -> Path:
    """A segment the manifest lists, its segment.json checked against the checksum the manifest holds."""
    if not isinstance(entry, dict) or not _layout.ID_RE.match(str(entry.get("id", ""))):
        raise damaged(index_dir, build_id, "manifest.json lists a segment without a valid id")
    path = _layout.segments_dir(index_dir) / entry["id"]
    name = f"{_layout.SEGMENTS_DIR}/{entry['id']}"
    if not path.is_dir():
        raise damaged(index_dir, build_id, f"{name} is missing")
    try:
        if sha256_of(path / SEGMENT_FILE) != entry.get("checksum"):
            raise damaged(index_dir, build_id, f"{name}/{SEGMENT_FILE} was changed since it was built")
    except OSError as exc:
        raise damaged(index_dir, build_id, f"{name}/{SEGMENT_FILE} is missing") from exc
    return path


def _load_build(index_dir: Path, build_id: str, path: Path, expected_model_id: str | None) -> LoadedIndex:
    from bot.core.index._segment import read_segment

    manifest = _read_manifest(index_dir, build_id, path)
    if expected_model_id is not None and manifest["model_id"] != expected_model_id:
        raise IndexModelMismatchError(
            f"{index_dir}/ was built with a different model ({manifest['model_id']}, settings say "
            f"{expected_model_id}); {REBUILD_HINT}"
        )
    problems = []
    if manifest["bm25"].get("tokenizer_version") is None:
        problems.append("its BM25 settings are missing")
    dim = int(manifest["dim"])
    facts = _read_facts(index_dir, build_id, path)
    segments, deleted = [], {}
    for entry in manifest["segments"]:
        segment = read_segment(index_dir, build_id, _segment_path(index_dir, build_id, entry), dim,
                               str(manifest["model_id"]))  # fmt: skip
        segments.append(segment)
        deleted[segment.id] = frozenset(entry.get("deleted", ()))
    check_build_files(index_dir, build_id, path, manifest)
    term_stats = _layout.read_optional_json(path / TERM_STATS_FILE)
    try:
        state = LexiconState.from_json(_read_json(index_dir, build_id, path / LEXICON_STATE_FILE))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise damaged(index_dir, build_id, f"{LEXICON_STATE_FILE} cannot be read ({exc})") from exc
    words = {w: v for s in segments for w, v in zip(s.words, s.word_vectors, strict=True)}
    lexicon, missing = lexicon_of(state, words.get, dim)
    if missing:
        log.warning("The lexicon of build %s lacks %d word vectors; grounding without neighbours", build_id,
                    len(missing))  # fmt: skip
    index = compose_index(
        build_id=build_id,
        path=path,
        manifest=manifest,
        segments=segments,
        deleted=deleted,
        facts=facts,
        doc_freq=None,
        lexicon=lexicon,
        lexicon_state=state,
        fact_state=None,  # read from the segments when a build needs it (see _build._merged_fact_state)
        dim=dim,
    )
    counts = manifest["counts"]
    if set(index.articles) != set(manifest["articles"]) or len(index.articles) != counts.get("articles"):
        problems.append("the segments' articles do not match the manifest")
    if len(index.chunks) != counts.get("chunks"):
        problems.append(f"{len(index.chunks)} chunks, the manifest says {counts.get('chunks')}")
    if len(index.units) != counts.get("units", len(index.units)):
        problems.append(f"{len(index.units)} answer units, the manifest says {counts.get('units')}")
    if len(facts) != counts.get("facts"):
        problems.append(f"{len(facts)} facts, the manifest says {counts.get('facts')}")
    if problems:
        raise damaged(index_dir, build_id, "; ".join(problems))
    if (
        term_stats is not None
        and term_stats.get("chunks") == len(index.chunks)
        and isinstance(term_stats.get("doc_freq"), dict)
    ):
        from types import MappingProxyType

        object.__setattr__(index, "doc_freq", MappingProxyType(term_stats["doc_freq"]))
    return index


def load_index(index_dir: Path, *, expected_model_id: str | None) -> LoadedIndex:
    """Load the build CURRENT names. `expected_model_id` None skips the model check.

    Raises IndexMissingError, IndexModelMismatchError or IndexDamagedError, each saying what to run.
    If CURRENT moves while loading (a build finished and pruned), loads the new one instead.
    """
    index_dir = Path(index_dir)
    for _ in range(3):
        build_id, path = _current_build_dir(index_dir)
        try:
            return _load_build(index_dir, build_id, path, expected_model_id)
        except IndexDamagedError:
            if _layout.read_current_build_id(index_dir) == build_id:
                raise
            log.info("Index build %s was replaced while loading; loading the new one", build_id)
    build_id, path = _current_build_dir(index_dir)
    return _load_build(index_dir, build_id, path, expected_model_id)


def try_load_index(index_dir: Path, *, expected_model_id: str | None) -> LoadedIndex | None:
    """The current build, or None when there is none usable (the `previous` to give `build_index`)."""
    try:
        return load_index(index_dir, expected_model_id=expected_model_id)
    except IndexMissingError:
        return None
    except IndexStoreError as exc:
        log.warning("Not reusing the existing index: %s", exc)
        return None


def load_facts_only(index_dir: Path) -> tuple[tuple[BenchmarkFact, ...], tuple[SourceRef, ...]]:
    """The current build's benchmark facts and how to name its articles (one SourceRef each, by id).

    Reads the manifest, facts.json and each segment's articles.json with the standard library only: no numpy,
    FAISS, BM25 or torch, so benchmark lookups answer fast from a cold start. Those files are checksummed.
    """
    index_dir = Path(index_dir)
    build_id, path = _current_build_dir(index_dir)
    manifest = _read_manifest(index_dir, build_id, path)
    files = manifest.get("files")
    if isinstance(files, Mapping):
        check_files(index_dir, build_id, path, {k: v for k, v in files.items() if k == "facts.json"})
    facts = _read_facts(index_dir, build_id, path)
    sources: dict[str, SourceRef] = {}
    for entry in manifest["segments"]:
        segment = _segment_path(index_dir, build_id, entry)
        meta = _read_json(index_dir, build_id, segment / SEGMENT_FILE)
        where = f"{_layout.SEGMENTS_DIR}/{segment.name}/"
        check_files(index_dir, build_id, segment, {"articles.json": meta.get("files", {}).get("articles.json")},
                    prefix=where)  # fmt: skip
        gone = set(entry.get("deleted", ()))
        raw = _read_json(index_dir, build_id, segment / "articles.json")
        try:
            for article_id, fields in raw.items():
                if article_id not in gone:
                    a = Article(**fields)
                    sources[a.id] = SourceRef(article_id=a.id, title=a.title, outlet=a.outlet, url=a.url,
                                              published=a.published, author=a.author)  # fmt: skip
        except (TypeError, AttributeError) as exc:
            raise damaged(index_dir, build_id, f"{where}articles.json has an unexpected entry ({exc})") from exc
    return facts, tuple(sources[k] for k in sorted(sources))


def is_stale(index: LoadedIndex, articles: Sequence[Article]) -> StaleReport:
    """Which articles were added, changed or removed since `index` was built (by content hash)."""
    indexed: Mapping[str, str] = index.manifest["articles"]
    current = {article.id: article_content_hash(article) for article in articles}
    return StaleReport(
        added=tuple(sorted(current.keys() - indexed.keys())),
        changed=tuple(sorted(key for key in current.keys() & indexed.keys() if current[key] != indexed[key])),
        removed=tuple(sorted(indexed.keys() - current.keys())),
    )
